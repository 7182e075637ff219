"""The settlement officers may agree offline (policies: backend/cases/mutations.py)."""

from __future__ import annotations

from backend.cases.mutations import CaseMutation, calling, on_case
from backend.settlements import service
from backend.settlements.schemas import SettlementCreate
from sync.registry import Policy

PROPOSE = CaseMutation(
    "settlement.propose",
    args=on_case(SettlementCreate),
    policy=Policy.APPEND_ONLY,
    summary="Agree a lump sum or an instalment plan",
    apply=calling(service.create_settlement),
)
