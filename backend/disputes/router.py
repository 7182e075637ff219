from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from backend.auth.deps import CurrentUser, OperatorStaff
from backend.cases.deps import CaseForCaller
from backend.core.pagination import Limit, ObjectIdCursor, Page
from backend.disputes import service
from backend.disputes.models import DisputeKind, DisputeStatus
from backend.disputes.schemas import (
    DisputeCreate,
    DisputeFilters,
    DisputeOnCase,
    DisputeRead,
    DisputeResolve,
)

router = APIRouter(tags=["disputes"])

DisputeId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Dispute id")]
Ref = Annotated[str | None, Query(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$")]


@router.post("/disputes", status_code=201, summary="Raise a billing or payment dispute")
async def raise_dispute(actor: CurrentUser, body: DisputeCreate) -> DisputeRead:
    """Operator staff on any account; a supervisor or officer on a case they hold.
    Collection contact with the customer is held until every dispute is resolved."""
    return await service.raise_dispute(actor=actor, data=body)


@router.post(
    "/cases/{case_id}/disputes", status_code=201, summary="Raise a dispute on a case's account"
)
async def raise_on_case(
    case: CaseForCaller, actor: CurrentUser, body: DisputeOnCase
) -> DisputeRead:
    """The officer holding the case, their supervisor, or operator staff (also offline, as
    the `dispute.raise` mutation). Collection contact is held until it is resolved."""
    return await service.raise_on_case(actor=actor, case=case, data=body)


@router.get("/disputes", summary="Disputes within reach")
async def list_disputes(
    actor: CurrentUser,
    status: DisputeStatus | None = None,
    kind: DisputeKind | None = None,
    account_id: Ref = None,
    customer_id: Ref = None,
    drc_id: Ref = None,
    cursor: ObjectIdCursor = None,
    limit: Limit = 50,
) -> Page[DisputeRead]:
    """Newest first: operators all, a supervisor their DRC's, an officer their cases'."""
    filters = DisputeFilters(
        status=status, kind=kind, account_id=account_id, customer_id=customer_id, drc_id=drc_id
    )
    return await service.list_disputes(actor=actor, filters=filters, cursor=cursor, limit=limit)


@router.get("/disputes/{dispute_id}", summary="One dispute")
async def get_dispute(actor: CurrentUser, dispute_id: DisputeId) -> DisputeRead:
    """A dispute outside the caller's reach is a 404."""
    return await service.get_dispute(actor=actor, dispute_id=dispute_id)


@router.post("/disputes/{dispute_id}/investigate", summary="Investigate a dispute (operator)")
async def investigate(actor: OperatorStaff, dispute_id: DisputeId) -> DisputeRead:
    """open → investigating; from any other state a 409 `dispute.invalid_transition`."""
    return await service.investigate(actor=actor, dispute_id=dispute_id)


@router.post("/disputes/{dispute_id}/resolve", summary="Resolve a dispute (operator)")
async def resolve(actor: OperatorStaff, dispute_id: DisputeId, body: DisputeResolve) -> DisputeRead:
    """investigating → resolved by credit (a credit note for BSS), refund (a disputed
    payment reversed, a receipt refunded), correction or rejection; audited. The last
    resolved dispute lifts the hold on collection contact."""
    return await service.resolve(actor=actor, dispute_id=dispute_id, data=body)
