"""The change log: every committed change, in an order no reader can miss a change by.

Writers append to a queue inside their own transaction, so a change exists exactly when
its transaction committed. A sequencer then gives queued changes their cursors in one
short transaction of its own, always above every cursor handed out before. A change
that commits late (its transaction began early) therefore still gets a cursor above
what any reader has already seen: "writes committed out of order" cannot be skipped,
which a cursor taken at write time (a timestamp, an ObjectId) could not promise.

Audiences say who sees a change: opaque strings the caller hands in (DebtX's are in
backend/core/audiences.py). A reader names its own audience, or none to read every change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from pymongo import ASCENDING, ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.cursor import AsyncCursor

from backend.core import clock, db
from sync.models import ChangeEntry, LogState, QueuedChange

SEQUENCE_BATCH = 1000


def entry(
    *,
    entity: str,
    entity_id: str,
    action: str,
    before: Iterable[str],
    after: Iterable[str],
    version: int | None = None,
    sections: Iterable[str] | None = None,
) -> dict[str, Any]:
    """One change; `before`/`after` are the audiences that saw it before and see it now.

    `sections` names the parts of the entity's read model the change touched, so a reader
    (the mirror) can rebuild only those; None says any part may have changed.
    """
    holders = list(dict.fromkeys(after))
    return {
        "entity": entity,
        "entity_id": entity_id,
        "version": version,
        "audience": list(dict.fromkeys([*before, *holders])),
        "holders": holders,
        "action": action,
        "sections": sorted(set(sections)) if sections is not None else None,
        "at": clock.now(),
    }


async def append(*, session: AsyncClientSession, **change: Any) -> None:
    """Record one change (see `entry`) in the caller's transaction."""
    await QueuedChange.get_pymongo_collection().insert_one(entry(**change), session=session)


async def append_many(changes: list[dict[str, Any]], *, session: AsyncClientSession) -> None:
    """Record many changes made with `entry`, in the caller's transaction."""
    if changes:
        await QueuedChange.get_pymongo_collection().insert_many(changes, session=session)


async def sequence_pending(limit: int = SEQUENCE_BATCH) -> int:
    """Give queued changes their cursors; 0 when none waited or another sequencer ran."""
    return len(await sequence_next(limit))


async def sequence_next(limit: int = SEQUENCE_BATCH) -> list[ChangeEntry]:
    """Give up to `limit` queued changes their cursors and return them as entries (the
    last one's cursor is the log's head); none when none waited or another sequencer ran.

    Two sequencers racing both bump the counter; one transaction loses and the other's
    work stands, so cursors stay gap-free and increasing.
    """
    queue = QueuedChange.get_pymongo_collection()
    if await queue.find_one({}, {"_id": 1}) is None:
        return []  # nothing waits: no transaction needed
    try:
        async with db.transaction() as session:
            taken = queue.find({}, session=session).sort("_id", ASCENDING).limit(limit)
            waiting = await taken.batch_size(limit).to_list()
            if not waiting:
                return []
            state = await LogState.get_pymongo_collection().find_one_and_update(
                {"_id": "changes"},
                {"$inc": {"last": len(waiting)}, "$setOnInsert": {"floor": 0}},
                upsert=True,
                return_document=ReturnDocument.AFTER,
                session=session,
            )
            assert state is not None  # upserted
            first = state["last"] - len(waiting) + 1
            now = db.as_stored(clock.now())
            entries = [
                {**{k: v for k, v in change.items() if k != "_id"}, "_id": first + i}
                | {"sequenced_at": now}
                for i, change in enumerate(waiting)
            ]
            await ChangeEntry.get_pymongo_collection().insert_many(entries, session=session)
            # In this snapshot the queue up to the last one taken is exactly `waiting`; a
            # range, unlike a long $in, is one index scan (SecantusDB checks $in lists
            # linearly per document).
            await queue.delete_many({"_id": {"$lte": waiting[-1]["_id"]}}, session=session)
    except db.WriteConflict:
        return []
    return [ChangeEntry.model_validate(doc) for doc in entries]


async def sequence_all() -> int:
    """Sequence until the queue is empty (tests, the mirror's catch-up)."""
    total = 0
    while done := await sequence_pending():
        total += done
    return total


async def bounds() -> tuple[int, int]:
    """(floor, head): cursors below `floor` were pruned; `head` is the last handed out."""
    state = await LogState.get_pymongo_collection().find_one({"_id": "changes"})
    if state is None:
        return 0, 0
    return state["floor"], state["last"]


async def read(*, since: int, audience: str | None, limit: int) -> list[ChangeEntry]:
    """Changes after `since` that `audience` may see (None: all), in cursor order."""
    rows = await after(since, audience=audience, limit=limit).to_list()
    return [ChangeEntry.model_validate(doc) for doc in rows]


def after(since: int, *, audience: str | None, limit: int) -> AsyncCursor[dict[str, Any]]:
    """The query `read` runs: an index range from `since` (ChangeEntry's indexes), whose
    cost follows the page, not the log."""
    filters: dict[str, Any] = {"_id": {"$gt": since}}
    if audience is not None:
        filters["audience"] = audience
    # the server stops at `limit` and answers in one batch, rather than the driver's
    # first 101 and a getMore
    cursor = ChangeEntry.get_pymongo_collection().find(filters).sort("_id", ASCENDING)
    return cursor.limit(limit).batch_size(limit)


async def _last_before(cutoff: datetime) -> dict[str, Any] | None:
    """The newest entry sequenced before `cutoff`: pruning drops it and all before it."""
    return await ChangeEntry.get_pymongo_collection().find_one(
        {"sequenced_at": {"$lt": cutoff}}, sort=[("sequenced_at", -1), ("_id", -1)]
    )


async def prunable(*, older_than: timedelta, now: datetime | None = None) -> tuple[int, int]:
    """(how many entries, last cursor) `prune` would drop now; (0, 0) for none."""
    last = await _last_before((now or clock.now()) - older_than)
    if last is None:
        return 0, 0
    count = await ChangeEntry.get_pymongo_collection().count_documents(
        {"_id": {"$lte": last["_id"]}}
    )
    return count, last["_id"]


async def prune(*, older_than: timedelta, now: datetime | None = None) -> int:
    """Drop history sequenced before `older_than` ago; readers behind it get a reset."""
    changes = ChangeEntry.get_pymongo_collection()
    last = await _last_before((now or clock.now()) - older_than)
    if last is None:
        return 0
    async with db.transaction() as session:
        await LogState.get_pymongo_collection().update_one(
            {"_id": "changes"}, {"$max": {"floor": last["_id"]}}, session=session
        )
        result = await changes.delete_many({"_id": {"$lte": last["_id"]}}, session=session)
    return result.deleted_count
