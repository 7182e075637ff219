"""Card webhooks already handled, by the provider's event id: a delivery of the same
event again (a retry, a replay with a fresh timestamp) is acknowledged and not redone."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from backend.core import clock
from backend.core.models import KeyedDocument


class CardEvent(KeyedDocument):
    id: str  # the provider's event id (evt_...)
    type: str
    charge_id: str | None = None
    outcome: str
    receipt_id: str | None = None
    received_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "card_events"


MODELS = (CardEvent,)
