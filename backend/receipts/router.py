from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from backend.auth.deps import OperatorStaff
from backend.core.pagination import Cursor, Limit, Page
from backend.receipts import service
from backend.receipts.models import ReceiptStatus
from backend.receipts.schemas import ReceiptMatch, ReceiptRead, ReceiptRefund, SightingRead

router = APIRouter(tags=["receipts"])

ReceiptId = Annotated[
    str,
    Path(
        pattern=r"^(mpesa|bank|card):[A-Za-z0-9][A-Za-z0-9_.:-]{2,63}$",
        description="`provider:transaction_id`",
    ),
]


@router.get("/receipts", summary="Money providers reported (operator)")
async def list_receipts(
    actor: OperatorStaff,
    status: ReceiptStatus | None = None,
    flagged: bool | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[ReceiptRead]:
    """Newest received first. `status=suspense` is the queue of receipts nothing (or more
    than one account) matched; `flagged=true` the ones a fraud check or a repeat report
    with another amount flagged for review."""
    return await service.list_receipts(
        actor=actor, status=status, flagged=flagged, cursor=cursor, limit=limit
    )


@router.get("/receipts/{receipt_id}", summary="One receipt (operator)")
async def get_receipt(actor: OperatorStaff, receipt_id: ReceiptId) -> ReceiptRead:
    return await service.get_receipt(actor=actor, receipt_id=receipt_id)


@router.get("/receipts/{receipt_id}/sightings", summary="Every report of a receipt (operator)")
async def list_sightings(actor: OperatorStaff, receipt_id: ReceiptId) -> list[SightingRead]:
    """Each time a provider reported the transaction (callback, statement line, status
    query), first received first, with the provider's fields as received."""
    return await service.sightings(actor=actor, receipt_id=receipt_id)


@router.post("/receipts/{receipt_id}/match", summary="Match a suspense receipt by hand (operator)")
async def match_receipt(
    actor: OperatorStaff, receipt_id: ReceiptId, body: ReceiptMatch
) -> ReceiptRead:
    """To an account (booked to its open case, if it has one) or a case; applied exactly
    as an automatic match and audited. A booked or refunded receipt is a 409."""
    return await service.match_by_hand(actor=actor, receipt_id=receipt_id, data=body)


@router.post("/receipts/{receipt_id}/refund", summary="Refund a suspense receipt (operator)")
async def refund_receipt(
    actor: OperatorStaff, receipt_id: ReceiptId, body: ReceiptRefund
) -> ReceiptRead:
    """Sent back to the payer, with the reason; audited. A booked receipt is not refunded
    here (409 `receipts.already_booked`): its payment is reversed instead."""
    return await service.refund(actor=actor, receipt_id=receipt_id, data=body)
