from __future__ import annotations

from fastapi import APIRouter, status

from backend.auth.deps import CurrentUser
from backend.cases.deps import CaseForCaller
from backend.settlements import service
from backend.settlements.schemas import SettlementCreate, SettlementRead

router = APIRouter(tags=["settlements"])


@router.post(
    "/cases/{case_id}/settlements",
    status_code=status.HTTP_201_CREATED,
    summary="Agree a settlement or instalment plan",
)
async def create_settlement(
    case: CaseForCaller, actor: CurrentUser, body: SettlementCreate
) -> SettlementRead:
    """The officer holding the case or their supervisor; a discount needs the supervisor."""
    return await service.create_settlement(actor=actor, case=case, data=body)


@router.get("/cases/{case_id}/settlements", summary="A case's settlements")
async def list_settlements(case: CaseForCaller) -> list[SettlementRead]:
    """Every settlement agreed on the case, newest first, with its instalments."""
    return await service.list_settlements(case=case)
