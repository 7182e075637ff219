"""BSS's push: signed with HMAC-SHA256 over `timestamp.body` with the billing webhook
secret, fresh within the window. A push that fails either check is refused whole (401)
and changes nothing; an accepted one takes each record on its own, as a feed row is
taken, so the same push delivered again changes nothing (its records are unchanged)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

from backend.billing import feeds, repository
from backend.billing.errors import WebhookRefused
from backend.billing.models import FeedBatch, FeedOrigin
from backend.billing.schemas import WebhookBody
from backend.core import clock, signing
from backend.core.errors import ValidationFailed
from backend.core.logging import get_logger
from backend.core.settings import BillingSettings

log = get_logger(__name__)
TIMESTAMP = "x-bss-timestamp"
SIGNATURE = "x-bss-signature"
_CHECK = signing.Check(
    WebhookBody, "the push", WebhookRefused, json_options={"parse_float": Decimal}
)


def verify(
    *, body: bytes, timestamp: str | None, signature: str | None, settings: BillingSettings
) -> WebhookBody:
    """The push's content, once its signature and timestamp are accepted."""
    data = _CHECK.verified(
        body, timestamp, signature, settings.webhook_secret, settings.webhook_window_seconds
    )
    if len(data.records) > settings.webhook_max_records:
        raise ValidationFailed(f"at most {settings.webhook_max_records} records per push")
    return data


async def _records(data: WebhookBody) -> AsyncIterator[feeds.Row]:
    for number, record in enumerate(data.records, start=1):
        yield number, {k: v for k, v in record.items() if v is not None and v != ""}


async def receive(
    *, body: bytes, timestamp: str | None, signature: str | None, settings: BillingSettings
) -> FeedBatch:
    """Take in a verified push's records; its report (row = the record's place, from 1)."""
    data = verify(body=body, timestamp=timestamp, signature=signature, settings=settings)
    batch = FeedBatch(origin=FeedOrigin.WEBHOOK, format="json")
    await feeds.take_rows(_records(data), None, feeds.Report(batch, settings.max_outcomes))
    batch.finished_at = clock.now()
    await repository.save_feed(batch)
    log.info("billing.webhook.received", feed_id=str(batch.id), rows=batch.rows)
    return batch
