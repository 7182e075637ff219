"""Asking the card provider about a charge (`GET /v1/charges/{id}`, bearer API key): staff
confirm a charge whose webhook never came, and a succeeded one is booked."""

from __future__ import annotations

import httpx
from pydantic import ValidationError

from backend.cards import webhooks
from backend.cards.errors import ChargeNotFound, EventMalformed, ProviderUnavailable
from backend.cards.schemas import Charge, WebhookAnswer
from backend.core.errors import Forbidden
from backend.core.logging import get_logger
from backend.core.settings import CardSettings
from backend.receipts.models import Source
from backend.users.models import User

log = get_logger("debtx.cards")


async def look_up(charge_id: str, *, http: httpx.AsyncClient, settings: CardSettings) -> Charge:
    """The charge as the provider has it now."""
    try:
        response = await http.get(
            f"{settings.base_url.rstrip('/')}/v1/charges/{charge_id}",
            headers={"authorization": f"Bearer {settings.api_key.get_secret_value()}"},
            timeout=settings.timeout_seconds,
        )
    except httpx.HTTPError as exc:
        log.warning("cards.lookup.failed", charge_id=charge_id, error=type(exc).__name__)
        raise ProviderUnavailable("the card provider did not answer") from exc
    if response.status_code == 404:
        raise ChargeNotFound(f"the card provider knows no charge {charge_id}")
    if response.status_code != 200:
        log.warning("cards.lookup.failed", charge_id=charge_id, status=response.status_code)
        raise ProviderUnavailable(f"the card provider answered {response.status_code}")
    try:
        return Charge.model_validate(response.json())
    except (ValueError, ValidationError) as exc:
        raise EventMalformed("the card provider's charge could not be read") from exc


async def confirm(
    *, actor: User, charge_id: str, http: httpx.AsyncClient, settings: CardSettings
) -> WebhookAnswer:
    """Operator staff confirm a charge with the provider; a succeeded one is booked once
    (a webhook for it before or after books nothing more)."""
    if not actor.is_operator:
        raise Forbidden("Only operator staff confirm card charges")
    charge = await look_up(charge_id, http=http, settings=settings)
    return await webhooks.book(charge, source=Source.STATUS_QUERY, event_id=f"lookup:{charge.id}")
