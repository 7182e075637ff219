"""The bank's payment-notification webhook.

Signed like OSS's callbacks: `X-Bank-Timestamp` (Unix seconds) and `X-Bank-Signature:
sha256=<hex HMAC-SHA256 of "timestamp.body" under DEBTX_BANK__WEBHOOK_SECRET>`. A missing,
wrong or stale signature is refused (401) and logged with the notification's id only;
nothing is booked. A credit goes to the receipts service as the bank's callback for the
transaction, so the same notification twice books once (the second is a sighting).
"""

from __future__ import annotations

from backend.banking.errors import WebhookRefused
from backend.banking.models import LineOutcome
from backend.banking.schemas import BankNotification, NotificationAccepted
from backend.banking.service import outcome_of
from backend.core import signing
from backend.core.errors import ValidationFailed
from backend.core.logging import get_logger
from backend.core.money import Money, major_units
from backend.core.settings import BankSettings
from backend.receipts import service as receipts
from backend.receipts.models import Provider, Source
from backend.receipts.schemas import ProviderReport

log = get_logger("debtx.banking")

TIMESTAMP = "x-bank-timestamp"
SIGNATURE = "x-bank-signature"
_CHECK = signing.Check(BankNotification, "the notification", WebhookRefused)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header's value the bank sends for `body` at `timestamp`."""
    return signing.sign(secret, timestamp, body)


def verify(
    *, body: bytes, timestamp: str | None, signature: str | None, settings: BankSettings
) -> BankNotification:
    """The notification, once its signature and timestamp are accepted."""
    return _CHECK.verified(
        body, timestamp, signature, settings.webhook_secret, settings.webhook_window_seconds
    )


async def accept(
    *, body: bytes, timestamp: str | None, signature: str | None, settings: BankSettings
) -> NotificationAccepted:
    """Book the notified credit once; a debit is acknowledged and not booked."""
    try:
        note = verify(body=body, timestamp=timestamp, signature=signature, settings=settings)
    except (WebhookRefused, ValidationFailed) as exc:
        log.warning("bank.webhook.refused", code=exc.code, reason=exc.detail)
        raise
    answer = NotificationAccepted(
        notification_id=note.notification_id,
        transaction_id=note.transaction_id,
        outcome=LineOutcome.DEBIT,
        receipt_id=None,
        sightings=None,
    )
    if note.credit_debit == "DBIT":
        return answer
    receipt = await receipts.receive(report_of(note))
    log.info(
        "bank.webhook.received", transaction_id=note.transaction_id, sightings=receipt.sightings
    )
    return answer.model_copy(update=outcome_of(receipt))


def report_of(note: BankNotification) -> ProviderReport:
    raw = note.model_dump(mode="json")
    return ProviderReport(
        provider=Provider.BANK,
        transaction_id=note.transaction_id,
        source=Source.CALLBACK,
        amount=Money(amount=major_units(note.amount), currency=note.currency),
        paid_at=note.booked_at,
        reference=note.reference,
        payer=note.counterparty,
        raw=raw,
    )
