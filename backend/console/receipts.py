"""Payments received: the receipts providers reported that wait for staff, through the
service behind `/receipts`. Those nothing (or more than one account) matched are in
suspense, to match by hand to an account or case, or to refund; those a fraud check or
a repeat report flagged are listed for review. Operator staff only."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from backend.console import forms, queues
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import OperatorCaller
from backend.console.routing import ConsoleRoute
from backend.receipts import service as receipts
from backend.receipts.models import ReceiptStatus
from backend.receipts.schemas import ReceiptMatch, ReceiptRefund

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

QUEUE = queues.Queue(
    "receipts",
    operator_only=True,
    fields_of={"receipts.already_booked": "account_id", "receipts.already_refunded": "account_id"},
)
ReceiptId = Annotated[str, Path(pattern=r"^(mpesa|bank|card):[A-Za-z0-9][A-Za-z0-9_.:-]{2,63}$")]
View = Literal["suspense", "flagged"]
Act = Callable[..., Awaitable[object]]  # (*, actor, receipt_id, data)


class ReceiptsQuery(BaseModel):
    """Which receipts the list shows: those in suspense, or those flagged."""

    model_config = ConfigDict(extra="ignore")

    view: View = "suspense"


@router.get("/receipts")
async def receipts_list(request: Request, caller: OperatorCaller) -> Response:
    """Suspense or flagged receipts, newest received first, live."""
    query = forms.parse(ReceiptsQuery, forms.values(request.query_params))
    if query.view == "flagged":
        page = await receipts.list_receipts(
            actor=caller.user, flagged=True, limit=queues.QUEUE_SIZE
        )
    else:
        page = await receipts.list_receipts(
            actor=caller.user, status=ReceiptStatus.SUSPENSE, limit=queues.QUEUE_SIZE
        )
    return QUEUE.list_page(
        request,
        caller,
        items=page.items,
        more=page.next_cursor is not None,
        view=query.view,
        views=["suspense", "flagged"],
    )


async def _context(caller: Caller, receipt_id: str) -> dict[str, Any]:
    receipt = await receipts.get_receipt(actor=caller.user, receipt_id=receipt_id)
    names = await queues.names_of([receipt.refund.by if receipt.refund else None])
    seen = await receipts.sightings(actor=caller.user, receipt_id=receipt_id)
    return {"receipt": receipt, "names": names, "sightings": seen}


@router.get("/receipts/{receipt_id}")
async def receipt_item(request: Request, receipt_id: ReceiptId, caller: OperatorCaller) -> Response:
    """One receipt, what its provider said, and the match and refund forms."""
    return QUEUE.item_page(request, caller, **await _context(caller, receipt_id))


async def _decide(
    request: Request, caller: Caller, receipt_id: str, form: str, model: type[BaseModel], act: Act
) -> Response:
    """The form, checked by its schema, through the service; the receipt's page again with
    the problem beside its field if refused."""

    async def apply(sent: dict[str, Any]) -> None:
        await act(actor=caller.user, receipt_id=receipt_id, data=forms.parse(model, sent))

    context = lambda: _context(caller, receipt_id)  # noqa: E731
    return await QUEUE.decide(request, caller, form=form, apply=apply, context=context)


@router.post("/receipts/{receipt_id}/match", dependencies=[CsrfChecked])
async def match_receipt(
    request: Request, receipt_id: ReceiptId, caller: OperatorCaller
) -> Response:
    """Book the receipt to the account (or case) typed, as `POST /receipts/{id}/match` does."""
    return await _decide(request, caller, receipt_id, "match", ReceiptMatch, receipts.match_by_hand)


@router.post("/receipts/{receipt_id}/refund", dependencies=[CsrfChecked])
async def refund_receipt(
    request: Request, receipt_id: ReceiptId, caller: OperatorCaller
) -> Response:
    """Mark the receipt refunded with the reason, as `POST /receipts/{id}/refund` does."""
    return await _decide(request, caller, receipt_id, "refund", ReceiptRefund, receipts.refund)
