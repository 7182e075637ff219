"""The only code that touches the OSS collections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import db
from backend.core.ids import object_id
from backend.oss.errors import CallbackReplayed, StateChanged
from backend.oss.models import (
    Attempt,
    CureRecord,
    CureStatus,
    EventStatus,
    OssCallback,
    OssEvent,
    ServiceState,
)


async def insert_event(event: OssEvent, *, session: AsyncClientSession) -> OssEvent:
    return await db.insert_new(
        event, exists=StateChanged(f"event {event.idempotency_key} exists"), session=session
    )


async def event_by_key(key: str, *, session: AsyncClientSession | None = None) -> OssEvent | None:
    return await OssEvent.find_one({"idempotency_key": key}, session=session)


async def get_event(event_id: str, *, session: AsyncClientSession | None = None) -> OssEvent | None:
    oid = object_id(event_id)
    return None if oid is None else await OssEvent.get(oid, session=session)


async def claim(event_id: str, *, now: datetime, stale_before: datetime) -> OssEvent | None:
    """Take a due event for this worker; one that another worker holds (not stale) is not."""
    oid, token = object_id(event_id), str(ObjectId())
    if oid is None:
        return None
    result = await OssEvent.get_pymongo_collection().update_one(
        {
            "_id": oid,
            "status": EventStatus.PENDING.value,
            "next_attempt_at": {"$lte": now},
            "$or": [{"claim": None}, {"claimed_at": {"$lt": stale_before}}],
        },
        {"$set": {"claim": token, "claimed_at": now}},
    )
    if result.modified_count == 0:
        return None
    return await OssEvent.find_one({"_id": oid, "claim": token})


async def write_attempt(event: OssEvent, fields: dict[str, Any], attempt: Attempt) -> bool:
    """Store one attempt's outcome, if the event is still ours."""
    result = await OssEvent.get_pymongo_collection().update_one(
        {"_id": event.id, "claim": event.claim, "acknowledged_at": None},
        {
            "$set": Encoder().encode({**fields, "claim": None, "claimed_at": None}),
            "$push": {"history": Encoder().encode(attempt)},
        },
    )
    return result.modified_count == 1


async def acknowledge(event: OssEvent, fields: dict[str, Any], *, session: AsyncClientSession):
    """Mark an event acknowledged (or failed), unless another callback got there first."""
    result = await OssEvent.get_pymongo_collection().update_one(
        {"_id": event.id, "acknowledged_at": None, "status": {"$ne": EventStatus.FAILED.value}},
        {"$set": Encoder().encode(fields)},
        session=session,
    )
    if result.modified_count == 0:
        raise CallbackReplayed(f"event {event.idempotency_key} was already settled")


async def reopen(event: OssEvent, fields: dict[str, Any], *, session: AsyncClientSession) -> None:
    """A failed event back to pending, unless it changed since it was read."""
    result = await OssEvent.get_pymongo_collection().update_one(
        {"_id": event.id, "status": EventStatus.FAILED.value, "attempts": event.attempts},
        {"$set": Encoder().encode({**fields, "failed_at": None})},
        session=session,
    )
    if result.modified_count == 0:
        raise StateChanged(f"event {event.id} changed; retry")


async def due_ids(*, now: datetime, stale_before: datetime, limit: int) -> list[str]:
    """Pending events whose time has come and that no live worker holds, oldest first."""
    cursor = OssEvent.get_pymongo_collection().find(
        {
            "status": EventStatus.PENDING.value,
            "next_attempt_at": {"$lte": now},
            "$or": [{"claim": None}, {"claimed_at": {"$lt": stale_before}}],
        },
        {"_id": 1},
    )
    return [str(row["_id"]) for row in await cursor.sort("next_attempt_at", 1).to_list(limit)]


async def find_events(filters: dict[str, Any], *, before: ObjectId | None, limit: int):
    query = dict(filters)
    if before is not None:
        query["_id"] = {"$lt": before}
    return await OssEvent.find(query).sort("-_id").limit(limit).to_list()


async def remember_callback(callback: OssCallback, *, session: AsyncClientSession) -> None:
    """Keep the callback's nonce; one seen before is a replay."""
    await db.insert_new(
        callback, exists=CallbackReplayed(f"nonce {callback.id} was seen before"), session=session
    )


async def state_of(
    account_id: str, *, session: AsyncClientSession | None = None
) -> ServiceState | None:
    return await ServiceState.get(account_id, session=session)


async def save_state(state: ServiceState, *, session: AsyncClientSession) -> ServiceState:
    changed = StateChanged(f"service state of {state.id} changed; retry")
    return await db.save_versioned(state, changed=changed, session=session)


async def insert_cure(cure: CureRecord, *, session: AsyncClientSession) -> CureRecord:
    exists = StateChanged(f"a cure record for {cure.account_id} cycle {cure.cycle} exists")
    return await db.insert_new(cure, exists=exists, session=session)


async def latest_cure(
    account_id: str, *, session: AsyncClientSession | None = None
) -> CureRecord | None:
    found = (
        await CureRecord.find({"account_id": account_id}, session=session)
        .sort("-cycle")
        .limit(1)
        .to_list()
    )
    return found[0] if found else None


async def save_cure(cure: CureRecord, fields: dict[str, Any], *, session: AsyncClientSession):
    changed = StateChanged(f"cure record of {cure.account_id} changed; retry")
    return await db.update_versioned(cure, fields, changed=changed, session=session)


async def push_cure_action(cure: CureRecord, action: Any, *, session: AsyncClientSession) -> None:
    await CureRecord.get_pymongo_collection().update_one(
        {"_id": cure.id},
        {"$push": {"actions": Encoder().encode(action)}, "$inc": {"version": 1}},
        session=session,
    )


async def open_cures(*, after: ObjectId | None, limit: int) -> list[CureRecord]:
    """Open cure records in id order, a page at a time."""
    query: dict[str, Any] = {"status": CureStatus.OPEN.value}
    if after is not None:
        query["_id"] = {"$gt": after}
    return await CureRecord.find(query).sort("_id").limit(limit).to_list()
