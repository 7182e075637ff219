from __future__ import annotations

from fastapi import APIRouter, status

from backend.auth.deps import CurrentUser
from backend.cases.deps import CaseForCaller
from backend.core.pagination import Cursor, Limit, Page
from backend.negotiations import service
from backend.negotiations.schemas import ActiveNegotiation, NegotiationCreate, NegotiationRead

router = APIRouter(tags=["negotiations"])


@router.post(
    "/cases/{case_id}/negotiations",
    status_code=status.HTTP_201_CREATED,
    summary="Record a negotiation",
)
async def record_negotiation(
    case: CaseForCaller, actor: CurrentUser, body: NegotiationCreate
) -> NegotiationRead:
    """The officer holding the case (or their supervisor) records one contact."""
    return await service.record_negotiation(actor=actor, case=case, data=body)


@router.get("/cases/{case_id}/negotiations", summary="A case's negotiations")
async def list_negotiations(
    case: CaseForCaller, cursor: Cursor = None, limit: Limit = 50
) -> Page[NegotiationRead]:
    """Every contact recorded on the case, most recent first (Customer_Negotiations)."""
    return await service.list_negotiations(case=case, cursor=cursor, limit=limit)


@router.get("/negotiations/active", summary="Active negotiations")
async def list_active(
    actor: CurrentUser, cursor: Cursor = None, limit: Limit = 50
) -> Page[ActiveNegotiation]:
    """Cases in negotiation with an open promise or a follow-up, within the caller's reach
    (list_Active_Customer_Negotiations)."""
    return await service.list_active(actor=actor, cursor=cursor, limit=limit)
