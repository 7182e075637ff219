from __future__ import annotations

from fastapi import APIRouter

from backend.auth.deps import CurrentUser, OperatorStaff
from backend.cases.deps import CaseForCaller
from backend.cpe import service
from backend.cpe.schemas import CpeApprovalCreate, CpeItemRecord, CpeRead

router = APIRouter(prefix="/cases/{case_id}/cpe", tags=["cpe"])


@router.get("", summary="Equipment collection of a case")
async def get_cpe(case: CaseForCaller) -> CpeRead:
    """Each item with its latest status, its history and the RCMP's decisions."""
    return await service.view(case=case)


@router.post("/items", summary="Record an item's collection result")
async def record_item(case: CaseForCaller, actor: CurrentUser, body: CpeItemRecord) -> CpeRead:
    """The holding officer or their supervisor; an item's state never moves back."""
    return await service.record_item(actor=actor, case=case, data=body)


@router.post("/approval", summary="Approve or reject returned equipment (operator)")
async def decide_approval(
    case: CaseForCaller, actor: OperatorStaff, body: CpeApprovalCreate
) -> CpeRead:
    """Approval completes the CPE part; rejection sends the returned items back to open."""
    return await service.decide(actor=actor, case=case, data=body)
