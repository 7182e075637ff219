"""The only code that touches the cpe_collections collection.

Writes are version-guarded replaces, so two devices recording items of one case at
once cannot lose each other's work: the later one gets `cpe.changed` and retries.
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import clock, db
from backend.cpe.errors import CpeChanged
from backend.cpe.models import CpeCollection


async def get(case_id: str, *, session: AsyncClientSession | None = None) -> CpeCollection | None:
    return await CpeCollection.get(case_id, session=session)


async def save(collection: CpeCollection, *, session: AsyncClientSession) -> CpeCollection:
    """Insert a new record, or replace a stored one still at the version it was read at."""
    collection.updated_at = clock.now()
    changed = CpeChanged(f"Equipment of case {collection.id} changed; reload and retry")
    return await db.save_versioned(collection, changed=changed, session=session)


async def many(case_ids: list[str]) -> list[CpeCollection]:
    """The records of `case_ids`, one indexed lookup per case."""
    rows = await db.find_by_keys(CpeCollection, "_id", case_ids)
    return [CpeCollection.model_validate(row) for row in rows]


async def items_by_type_and_status(case_match: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Recorded items per (type, status), with how many the RCMP approved; `case_match`
    (a query on the case, e.g. its DRC) keeps the records of matching cases only, read
    through a `$lookup` of the case by id."""
    pipeline: list[dict[str, Any]] = []
    if case_match:
        on_case = {f"case.{field}": value for field, value in case_match.items()}
        pipeline += [
            {"$addFields": {"case_oid": {"$toObjectId": "$_id"}}},
            {
                "$lookup": {
                    "from": "cases",
                    "localField": "case_oid",
                    "foreignField": "_id",
                    "as": "case",
                }
            },
            {"$unwind": "$case"},
            {"$match": on_case},
        ]
    approved = {"$cond": [{"$ifNull": ["$items.approved_at", False]}, 1, 0]}
    pipeline += [
        {"$unwind": "$items"},
        {
            "$group": {
                "_id": {"type": "$items.type", "status": "$items.status"},
                "n": {"$sum": 1},
                "approved": {"$sum": approved},
            }
        },
    ]
    return await (await CpeCollection.get_pymongo_collection().aggregate(pipeline)).to_list()
