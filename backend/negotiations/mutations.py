"""The negotiation officers may record offline (policies: backend/cases/mutations.py)."""

from __future__ import annotations

from backend.cases.mutations import CaseMutation, calling, on_case
from backend.negotiations import service
from backend.negotiations.schemas import NegotiationCreate
from sync.registry import Policy

RECORD = CaseMutation(
    "negotiation.record",
    args=on_case(NegotiationCreate),
    policy=Policy.APPEND_ONLY,
    summary="Record a contact with the customer (and any promise to pay)",
    apply=calling(service.record_negotiation),
)
