"""The only code that touches the audit_log collection: insert and read, nothing else."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit.models import AuditRecord
from backend.audit.schemas import AuditQuery
from backend.core import db


async def append(record: AuditRecord, *, session: AsyncClientSession | None = None) -> None:
    """Store one record; in a transaction, with the transaction's other records as it
    commits."""
    if session is None:
        await record.insert()
        return
    # as `record.insert` would store it: Beanie's encoder (days, enums)
    document = Encoder().encode(record.model_dump(exclude={"id", "revision_id"}))
    collection = AuditRecord.get_pymongo_collection()
    await db.insert_at_commit(collection, {"_id": ObjectId(), **document}, session=session)


async def append_many(records: list[dict[str, Any]], *, session: AsyncClientSession) -> None:
    """Bulk paths: records already dumped for MongoDB, written in one call."""
    await AuditRecord.get_pymongo_collection().insert_many(records, session=session)


async def search(query: AuditQuery, *, after: ObjectId | None, limit: int) -> list[AuditRecord]:
    filters: dict[str, Any] = {}
    for field in ("entity_type", "entity_id", "actor_uid"):
        value = getattr(query, field)
        if value is not None:
            filters[field] = value
    at: dict[str, Any] = {}
    if query.since:
        at["$gte"] = query.since
    if query.until:
        at["$lt"] = query.until
    if at:
        filters["at"] = at
    if after is not None:
        filters["_id"] = {"$lt": after}
    return await AuditRecord.find(filters).sort("-_id").limit(limit).to_list()


async def of_entities(entities: Mapping[str, Sequence[str]], *, limit: int) -> list[AuditRecord]:
    """The newest records about any of these entities (type to ids), by the entity index."""
    wanted = [
        {"entity_type": t, "entity_id": {"$in": list(ids)}} for t, ids in entities.items() if ids
    ]
    if not wanted:
        return []
    return await AuditRecord.find({"$or": wanted}).sort("-_id").limit(limit).to_list()
