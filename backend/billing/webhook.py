"""BSS's push: signed with HMAC-SHA256 over `timestamp.body` with the billing webhook
secret, fresh within the window. A push that fails either check is refused whole (401)
and changes nothing; an accepted one takes each record on its own, as a feed row is
taken, so the same push delivered again changes nothing (its records are unchanged)."""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from decimal import Decimal

from pydantic import ValidationError

from backend.billing import feeds, repository
from backend.billing.errors import WebhookRefused
from backend.billing.models import FeedBatch, FeedOrigin
from backend.billing.schemas import WebhookBody
from backend.core import clock
from backend.core.errors import ValidationFailed, field_errors
from backend.core.logging import get_logger
from backend.core.settings import BillingSettings
from backend.oss import signing

log = get_logger(__name__)
TIMESTAMP = "x-bss-timestamp"
SIGNATURE = "x-bss-signature"


def verify(
    *, body: bytes, timestamp: str | None, signature: str | None, settings: BillingSettings
) -> WebhookBody:
    """The push's content, once its signature and timestamp are accepted."""
    if not timestamp or not signature or not timestamp.isdigit():
        raise WebhookRefused("the push lacks its timestamp or signature")
    secret = settings.webhook_secret.get_secret_value()
    if not signing.valid(secret, timestamp, body, signature):
        raise WebhookRefused("the push's signature does not match its content")
    if abs(time.time() - int(timestamp)) > settings.webhook_window_seconds:
        raise WebhookRefused("the push's timestamp is outside the accepted window")
    try:
        data = WebhookBody.model_validate(json.loads(body, parse_float=Decimal))
    except ValueError as exc:
        errors = field_errors(exc.errors()) if isinstance(exc, ValidationError) else []
        raise ValidationFailed("the push's body is not valid", errors=errors) from exc
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
