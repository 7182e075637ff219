from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request

from backend.auth.deps import OperatorStaff
from backend.cards import charges, signing, webhooks
from backend.cards.schemas import ProviderEvent, WebhookAnswer
from backend.core.ratelimit import RateLimited

router = APIRouter(tags=["cards"])

Signature = Annotated[
    str | None,
    Header(alias=signing.HEADER, description='t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">'),
]
ChargeId = Annotated[
    str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_]{2,63}$", description="Card charge id")
]


@router.post(
    "/cards/webhook",
    summary="The card provider reports a charge or refund",
    dependencies=[RateLimited("callbacks")],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ProviderEvent.model_json_schema()}},
        }
    },
)
async def card_webhook(request: Request, signature: Signature = None) -> WebhookAnswer:
    """Signed by the provider (no bearer token): a bad signature is a 401, a stale one or
    an unreadable body a 400, and none of them books anything. An event seen before is a
    200 `already_processed`."""
    return await webhooks.accept(
        body=await request.body(), header=signature, settings=request.app.state.settings.cards
    )


@router.post("/cards/charges/{charge_id}/confirm", summary="Confirm a card charge (operator)")
async def confirm_charge(
    request: Request, actor: OperatorStaff, charge_id: ChargeId
) -> WebhookAnswer:
    """Ask the provider about a charge whose webhook never came; a succeeded one is booked."""
    return await charges.confirm(
        actor=actor,
        charge_id=charge_id,
        http=request.app.state.resources.http,
        settings=request.app.state.settings.cards,
    )
