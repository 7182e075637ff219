from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Query, Request

from backend.auth.deps import OperatorStaff
from backend.core.pagination import Limit, ObjectIdCursor, Page
from backend.responses import service, sms
from backend.responses.models import Intent, ResponseChannel
from backend.responses.schemas import (
    ReceiptAnswer,
    ResponseFilters,
    ResponseRead,
    SmsAnswer,
    SmsInbound,
    SmsReceipt,
)

router = APIRouter(tags=["responses"])

ResponseId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Response id")]


async def signed_by_gateway(
    request: Request,
    signature: Annotated[
        str | None,
        Header(
            alias=sms.SIGNATURE_HEADER,
            description="sha256=<hex HMAC-SHA256 of the raw body, keyed by the shared secret>",
        ),
    ] = None,
) -> None:
    """Checked before the body is read as JSON, so a forged call changes nothing."""
    secret = request.app.state.settings.responses.sms_webhook_secret.get_secret_value()
    sms.check_signature(secret, await request.body(), signature)


SignedByGateway = Depends(signed_by_gateway)


@router.post(
    "/webhooks/sms/inbound",
    summary="A customer's SMS reply (SMS gateway)",
    dependencies=[SignedByGateway],
)
async def sms_inbound(body: SmsInbound) -> SmsAnswer:
    """Stored once per `message_id`; STOP (and its Sinhala and Tamil words) opts out."""
    return await sms.inbound(body)


@router.post(
    "/webhooks/sms/receipts",
    summary="A delivery report for an SMS we sent (SMS gateway)",
    dependencies=[SignedByGateway],
)
async def sms_receipt(body: SmsReceipt) -> ReceiptAnswer:
    """The delivery the gateway accepted under `message_id` records the report."""
    return await sms.receipt(body)


@router.get("/responses", summary="Customer replies (operator)")
async def list_responses(
    actor: OperatorStaff,
    channel: ResponseChannel | None = None,
    intent: Intent | None = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    matched: bool | None = None,
    cursor: ObjectIdCursor = None,
    limit: Limit = 50,
) -> Page[ResponseRead]:
    """SMS and email replies, newest first."""
    filters = ResponseFilters(
        channel=channel, intent=intent, customer_id=customer_id, matched=matched
    )
    return await service.list_responses(actor=actor, filters=filters, cursor=cursor, limit=limit)


@router.get("/responses/{response_id}", summary="One customer reply (operator)")
async def get_response(actor: OperatorStaff, response_id: ResponseId) -> ResponseRead:
    """The reply with its match, intent and worklist item."""
    return await service.get_response(actor=actor, response_id=response_id)
