"""The dispute officers may raise offline (policies: backend/cases/mutations.py)."""

from __future__ import annotations

from backend.cases.mutations import CaseMutation, calling, on_case
from backend.disputes import service
from backend.disputes.schemas import DisputeOnCase
from sync.registry import Policy

RAISE = CaseMutation(
    "dispute.raise",
    args=on_case(DisputeOnCase),
    policy=Policy.APPEND_ONLY,
    summary="Record that the customer disputes a bill or a payment on the case's account",
    apply=calling(service.raise_on_case),
)
