"""The card provider's webhooks: signed over `t.body`, fresh, handled once per event id.
A charge that succeeded goes to receipts (booked once per charge id, however often and
in whatever order it is told); a refund is recorded against the charge's receipt."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

from pydantic import ValidationError

from backend.cards import repository, signing
from backend.cards.errors import EventMalformed, SignatureRefused, TimestampStale
from backend.cards.schemas import Charge, Outcome, ProviderEvent, WebhookAnswer
from backend.core.logging import get_logger
from backend.core.money import Money
from backend.core.settings import CardSettings
from backend.disputes import service as disputes
from backend.receipts import service as receipts
from backend.receipts.models import Provider, ReceiptStatus, Source
from backend.receipts.schemas import ProviderReport

log = get_logger("debtx.cards")
SUCCEEDED, REFUNDED = "charge.succeeded", "charge.refunded"
# a claim left unfinished this long was lost with its process: a retry takes it over
STALE_CLAIM = timedelta(minutes=2)


def verify(*, body: bytes, header: str | None, settings: CardSettings) -> ProviderEvent:
    """The event, once its signature and timestamp are accepted."""
    parsed = signing.parse(header)
    secret = settings.webhook_secret.get_secret_value()
    if parsed is None or not signing.valid(secret, parsed[0], body, parsed[1]):
        log.warning("cards.webhook.refused", reason="signature", size=len(body))
        raise SignatureRefused("the webhook's signature does not match its body")
    if abs(time.time() - parsed[0]) > settings.tolerance_seconds:
        log.warning("cards.webhook.refused", reason="stale", signed_at=parsed[0])
        raise TimestampStale("the webhook was signed outside the accepted window")
    try:
        return ProviderEvent.model_validate(json.loads(body))
    except ValueError as exc:
        log.warning("cards.webhook.refused", reason="malformed")
        raise EventMalformed("the webhook's body is not a card event") from exc


async def accept(*, body: bytes, header: str | None, settings: CardSettings) -> WebhookAnswer:
    """Act on a verified event once: it is claimed first, so the same event delivered
    again, even at the same moment, is acknowledged and not redone."""
    event = verify(body=body, header=header, settings=settings)
    if not await repository.claim(event.id, event.type, stale_after=STALE_CLAIM):
        log.info("cards.webhook.repeat", event_id=event.id, type=event.type)
        seen = await repository.get(event.id)
        receipt_id = seen.receipt_id if seen else None
        return WebhookAnswer(
            event_id=event.id, outcome=Outcome.ALREADY_PROCESSED, receipt_id=receipt_id
        )
    try:
        answer = await _act(event)
    except BaseException:
        await repository.release(event.id)
        raise
    fields = {"outcome": answer.outcome.value, "receipt_id": answer.receipt_id}
    await repository.finish(event.id, fields)
    log.info("cards.webhook.handled", event_id=event.id, type=event.type, **fields)
    return answer


async def _act(event: ProviderEvent) -> WebhookAnswer:
    if event.type not in (SUCCEEDED, REFUNDED):
        return WebhookAnswer(event_id=event.id, outcome=Outcome.IGNORED)
    try:
        charge = Charge.model_validate(event.data.object)
    except ValidationError as exc:
        log.warning("cards.webhook.refused", reason="charge", event_id=event.id)
        raise EventMalformed("the event's charge is not one DebtX can read") from exc
    if event.type == SUCCEEDED:
        return await _book(event.id, charge, Source.CALLBACK)
    return await _refunded(event.id, charge)


async def book(charge: Charge, *, source: Source, event_id: str) -> WebhookAnswer:
    """A succeeded charge to receipts (for the charge lookup too)."""
    return await _book(event_id, charge, source)


async def _book(event_id: str, charge: Charge, source: Source) -> WebhookAnswer:
    if charge.status != "succeeded":
        return WebhookAnswer(event_id=event_id, outcome=Outcome.IGNORED)
    receipt = await receipts.receive(report_of(charge, source))
    return WebhookAnswer(
        event_id=event_id,
        outcome=Outcome.BOOKED,
        receipt_id=receipt.id,
        receipt_status=receipt.status.value,
    )


def report_of(charge: Charge, source: Source) -> ProviderReport:
    """The charge as receipts takes it: its id, amount, time and the account it names."""
    phone = charge.billing_details.phone
    return ProviderReport(
        provider=Provider.CARD,
        transaction_id=charge.id,
        source=source,
        amount=Money(amount=charge.amount, currency=charge.currency.upper()),
        paid_at=datetime.fromtimestamp(charge.created, UTC),
        reference=charge.metadata.get("account_number") or None,
        payer=charge.billing_details.name,
        phone=phone if phone and phone.startswith("+") and phone[1:].isdigit() else None,
        raw=charge.model_dump(mode="json"),
    )


async def _refunded(event_id: str, charge: Charge) -> WebhookAnswer:
    """A suspense receipt is marked refunded; a booked one gets a refund request that
    operator staff resolve by reversing its payment."""
    if charge.status != "succeeded":
        return WebhookAnswer(event_id=event_id, outcome=Outcome.IGNORED)
    # the refund told before the charge: the charge is taken first, so it is refunded
    await receipts.receive(report_of(charge, Source.CALLBACK))
    refunded = Money(
        amount=charge.amount_refunded or charge.amount, currency=charge.currency.upper()
    )
    reason = f"Refunded {refunded} by the card provider ({event_id})"
    receipt = await receipts.refunded_by_provider(
        receipt_id=f"{Provider.CARD.value}:{charge.id}", reason=reason
    )
    assert receipt is not None  # received just above
    dispute = None
    if receipt.status is ReceiptStatus.BOOKED:
        dispute = await disputes.raise_for_provider(receipt=receipt, description=reason)
    return WebhookAnswer(
        event_id=event_id,
        outcome=Outcome.REFUNDED,
        receipt_id=receipt.id,
        receipt_status=receipt.status.value,
        dispute_id=dispute.id if dispute else None,
    )
