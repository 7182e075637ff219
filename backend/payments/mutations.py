"""The payment officers may record offline (policies: backend/cases/mutations.py)."""

from __future__ import annotations

from backend.cases.mutations import CaseMutation, calling, on_case
from backend.payments import service
from backend.payments.schemas import PaymentCreate
from sync.registry import Policy

RECORD = CaseMutation(
    "payment.record",
    args=on_case(PaymentCreate),
    policy=Policy.APPEND_ONLY,
    summary="Record a payment collected in the field",
    apply=calling(service.record_payment),
)
