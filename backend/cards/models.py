"""Card webhooks already handled, by the provider's event id: a delivery of the same
event again (a retry, a replay with a fresh timestamp) is acknowledged and not redone."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from backend.core import clock
from backend.core.models import KeyedDocument

PROCESSING = "processing"  # claimed, being acted on


class CardEvent(KeyedDocument):
    id: str  # the provider's event id (evt_...)
    type: str
    outcome: str  # PROCESSING, then the webhook's answer (booked, refunded, ignored)
    receipt_id: str | None = None
    received_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "card_events"


MODELS = (CardEvent,)
