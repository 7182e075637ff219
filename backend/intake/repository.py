"""The only code that touches the incidents and incident_batches collections."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import db
from backend.core.ids import object_id
from backend.intake.errors import IncidentExists
from backend.intake.models import Incident, IncidentBatch, IncidentSource, RowProblem


async def insert_incident(incident: Incident, *, session: AsyncClientSession) -> Incident:
    return await db.insert_new(
        incident,
        exists=IncidentExists(
            f"Incident {incident.external_ref} was already registered from {incident.source}",
            external_ref=incident.external_ref,
        ),
        session=session,
    )


async def insert_incidents(incidents: list[Incident], *, session: AsyncClientSession) -> None:
    if incidents:
        documents = [i.model_dump(by_alias=True, exclude={"revision_id"}) for i in incidents]
        await Incident.get_pymongo_collection().insert_many(documents, session=session)


async def known(
    *,
    source: IncidentSource,
    refs: list[str],
    batch_id: str | None,
    account_ids: list[str],
    session: AsyncClientSession,
) -> list[dict[str, Any]]:
    """Incidents already holding one of `refs`, or one of the accounts within this batch."""
    # Two indexed queries: an $or of the two is a collection scan on some servers.
    fields = ["external_ref", "account_id", "action", "batch_id", "row", "case_id", "source"]
    queries = [{"source": source.value, "external_ref": {"$in": refs}}]
    if batch_id is not None:
        queries.append({"batch_id": batch_id, "account_id": {"$in": account_ids}})
    found: dict[Any, dict[str, Any]] = {}
    for query in queries:
        cursor = Incident.get_pymongo_collection().find(query, fields, session=session)
        found.update({doc["_id"]: doc async for doc in cursor})
    return list(found.values())


async def insert_batch(batch: IncidentBatch, *, session: AsyncClientSession) -> None:
    await batch.insert(session=session)


async def record_progress(
    batch_id: ObjectId,
    *,
    counts: dict[str, int],
    problems: list[RowProblem],
    duplicate_rows: list[RowProblem],
    session: AsyncClientSession,
) -> None:
    """Add one chunk's counts and (already capped) problems to the stored batch."""
    update: dict[str, Any] = {"$inc": counts}
    push = {
        name: {"$each": [p.model_dump() for p in items]}
        for name, items in (("problems", problems), ("duplicate_rows", duplicate_rows))
        if items
    }
    if push:
        update["$push"] = push
    await IncidentBatch.get_pymongo_collection().update_one(
        {"_id": batch_id}, update, session=session
    )


async def finish_batch(batch_id: ObjectId, fields: dict[str, Any]) -> None:
    await db.set_fields(IncidentBatch, batch_id, fields)


async def get_batch(batch_id: str) -> IncidentBatch | None:
    oid = object_id(batch_id)
    return None if oid is None else await IncidentBatch.get(oid)


async def list_batches(*, after: ObjectId | None, limit: int) -> list[IncidentBatch]:
    filters: dict[str, Any] = {} if after is None else {"_id": {"$lt": after}}
    return await IncidentBatch.find(filters).sort("-_id").limit(limit).to_list()


async def same_content(sha256: str, *, other_than: ObjectId) -> str | None:
    """The first finished batch with this content, if any."""
    found = (
        await IncidentBatch.find({"sha256": sha256, "_id": {"$ne": other_than}, "status": "done"})
        .sort("_id")
        .limit(1)
        .to_list()
    )
    return str(found[0].id) if found else None


async def rename_customer(customer_id: str, name: str, *, session: AsyncClientSession) -> int:
    """Write `name` over the customer's name on every incident of theirs; how many."""
    result = await Incident.get_pymongo_collection().update_many(
        {"customer_id": customer_id, "customer_name": {"$ne": name}},
        {"$set": {"customer_name": name}},
        session=session,
    )
    return result.modified_count
