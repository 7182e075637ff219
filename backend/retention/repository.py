"""The only code that touches cases_archive and retention_runs, and the one place that
takes a case's records out of their collections as the case goes to the archive."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo import DESCENDING
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.cases.models import name_words
from backend.retention.models import ArchivedCase, RetentionRun


async def take_records(case_id: str, *, session: AsyncClientSession) -> dict[str, list[dict]]:
    """Remove the records kept beside the case (`CASE_RECORDS`) from their collections,
    in the caller's transaction; what was removed, by collection."""
    from backend.domains import CASE_RECORDS  # the table names every domain's models

    taken: dict[str, list[dict[str, Any]]] = {}
    for model, field in CASE_RECORDS:
        collection = model.get_pymongo_collection()
        rows = await collection.find({field: case_id}, session=session).to_list()
        if rows:
            await collection.delete_many(
                {"_id": {"$in": [r["_id"] for r in rows]}}, session=session
            )
            taken[collection.name] = rows
    return taken


async def insert_archived(document: dict[str, Any], *, session: AsyncClientSession) -> None:
    await ArchivedCase.get_pymongo_collection().insert_one(document, session=session)


async def get_archived(case_id: ObjectId) -> dict[str, Any] | None:
    return await ArchivedCase.get_pymongo_collection().find_one({"_id": case_id})


async def archived_where(filters: dict[str, Any], *, limit: int) -> list[dict[str, Any]]:
    """Archived cases matching `filters`, latest closed first, without their records."""
    cursor = ArchivedCase.get_pymongo_collection().find(filters, {"records": 0})
    return await cursor.sort([("closed_at", DESCENDING), ("_id", DESCENDING)]).to_list(limit)


async def customers_archived_since(customer_ids: list[str], cutoff: datetime) -> set[str]:
    """Those of `customer_ids` with an archived case closed since `cutoff`."""
    filters = {"customer_id": {"$in": customer_ids}, "closed_at": {"$gte": cutoff}}
    return set(await ArchivedCase.get_pymongo_collection().distinct("customer_id", filters))


async def rename_customer(customer_id: str, name: str, *, session: AsyncClientSession) -> int:
    """Write the customer's minimised name over their archived cases; how many."""
    result = await ArchivedCase.get_pymongo_collection().update_many(
        {"customer_id": customer_id, "case.customer_name": {"$ne": name}},
        {"$set": {"case.customer_name": name, "case.name_words": name_words(name)}},
        session=session,
    )
    return result.modified_count


async def archived_totals(key: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Archived cases matching `filters` per (`key`, currency): count, arrears and
    outstanding (minor units)."""
    group = {"key": f"${key}", "currency": "$arrears.currency"}
    pipeline: list[dict[str, Any]] = [
        {"$match": filters},
        {
            "$group": {
                "_id": group,
                "cases": {"$sum": 1},
                "arrears": {"$sum": "$arrears.amount"},
                "outstanding": {"$sum": "$outstanding.amount"},
            }
        },
    ]
    rows = await ArchivedCase.get_pymongo_collection().aggregate(pipeline)
    return [row async for row in rows]


async def insert_run(run: RetentionRun) -> RetentionRun:
    return await run.insert()


async def runs_page(*, before: ObjectId | None, limit: int) -> list[RetentionRun]:
    filters = {} if before is None else {"_id": {"$lt": before}}
    return await RetentionRun.find(filters).sort("-_id").limit(limit).to_list()
