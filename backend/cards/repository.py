"""The only code that touches the card_events collection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pymongo.errors import DuplicateKeyError

from backend.cards.models import PROCESSING, CardEvent
from backend.core import clock


async def claim(event_id: str, event_type: str, *, stale_after: timedelta) -> bool:
    """Take the event to act on it: True when it is new, or when an earlier claim was
    left unfinished for longer than `stale_after` (its process died); False when it was
    handled already or is being handled now."""
    try:
        await CardEvent(id=event_id, type=event_type, outcome=PROCESSING).insert()
        return True
    except DuplicateKeyError:
        now = clock.now()
        taken = await CardEvent.get_pymongo_collection().update_one(
            {"_id": event_id, "outcome": PROCESSING, "received_at": {"$lt": now - stale_after}},
            {"$set": {"received_at": now}},
        )
        return taken.modified_count == 1


async def finish(event_id: str, fields: dict[str, Any]) -> None:
    await CardEvent.get_pymongo_collection().update_one({"_id": event_id}, {"$set": fields})


async def release(event_id: str) -> None:
    """Give up a claim whose handling failed, so the provider's retry acts on it."""
    await CardEvent.get_pymongo_collection().delete_one({"_id": event_id, "outcome": PROCESSING})


async def get(event_id: str) -> CardEvent | None:
    return await CardEvent.get(event_id)
