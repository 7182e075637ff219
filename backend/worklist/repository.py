"""The only code that touches the work_items collection."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core.ids import object_id
from backend.worklist.models import WorkItem, WorkNote


async def insert(item: WorkItem, *, session: AsyncClientSession | None = None) -> WorkItem:
    return await item.insert(session=session)


async def get(item_id: str, *, session: AsyncClientSession | None = None) -> WorkItem | None:
    key = object_id(item_id)
    return await WorkItem.get(key, session=session) if key is not None else None


async def by_key(key: str, *, session: AsyncClientSession | None = None) -> WorkItem | None:
    return await WorkItem.find_one({"key": key}, session=session)


async def update(
    item: WorkItem,
    fields: dict[str, Any],
    note: WorkNote | None,
    *,
    session: AsyncClientSession,
) -> bool:
    """`$set` fields (and append a note) if the item is still at the version it was read at."""
    change: dict[str, Any] = {"$set": Encoder().encode({**fields, "version": item.version + 1})}
    if note is not None:
        change["$push"] = {"notes": Encoder().encode(note)}
    result = await WorkItem.get_pymongo_collection().update_one(
        {"_id": item.id, "version": item.version}, change, session=session
    )
    return result.matched_count == 1


async def page(
    filters: dict[str, Any], *, after: tuple[date, ObjectId] | None, limit: int
) -> list[WorkItem]:
    """Items by due day, then id: a keyset page starting after (due, id)."""
    query = dict(filters)
    if after is not None:
        due = datetime.combine(after[0], datetime.min.time())
        query["$or"] = [{"due": {"$gt": due}}, {"due": due, "_id": {"$gt": after[1]}}]
    return await WorkItem.find(query).sort("+due", "+_id").limit(limit).to_list()
