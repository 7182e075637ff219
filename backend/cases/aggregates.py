"""The case figures reports and the dashboard read: aggregations over the cases
collection, run on the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from backend.cases.models import Case
from backend.cases.phases import OPEN_VALUES
from backend.core import figures


async def arrears_by(key: Any, filters: dict[str, Any]) -> dict[str, int]:
    """The arrears (minor units) of the cases matching `filters`, summed per `key`."""
    pipeline: list[dict[str, Any]] = [
        {"$match": filters},
        {"$group": {"_id": key, "n": {"$sum": "$arrears.amount"}}},
    ]
    return await figures.totals(await Case.get_pymongo_collection().aggregate(pipeline))


def age_band(since: list[datetime]) -> dict[str, Any]:
    """The band of a case's arrears: i when overdue since after `since[i]` (newest first),
    the last band the rest; a case with no overdue date is in the first."""
    branches = [{"case": {"$eq": [{"$ifNull": ["$overdue_since", None]}, None]}, "then": 0}]
    branches += [{"case": {"$gt": ["$overdue_since", at]}, "then": i} for i, at in enumerate(since)]
    return {"$switch": {"branches": branches, "default": len(since)}}


async def open_by_age(
    filters: dict[str, Any], *, since: list[datetime]
) -> dict[tuple[int, str], tuple[int, int]]:
    """Open cases matching `filters` per (age band, currency), with their outstanding
    (minor units); bands as `age_band` puts them."""
    key = {"band": age_band(since), "currency": "$outstanding.currency"}
    pipeline: list[dict[str, Any]] = [
        {"$match": {**filters, "phase": {"$in": OPEN_VALUES}}},
        {"$group": {"_id": key, "n": {"$sum": 1}, "owed": {"$sum": "$outstanding.amount"}}},
    ]
    rows = await Case.get_pymongo_collection().aggregate(pipeline)
    return {(r["_id"]["band"], r["_id"]["currency"]): (r["n"], r["owed"]) async for r in rows}


async def snapshot_open(target: str, *, day: str, since: list[datetime]) -> None:
    """Write each open case's band, holder and outstanding as of `day` into the `target`
    collection (one document per case and day, `_id` "day:case"), on the database."""
    project = {
        "_id": {"$concat": [day, ":", {"$toString": "$_id"}]},
        "day": day,
        "month": day[:7],
        "case_id": {"$toString": "$_id"},
        "drc_id": "$drc_id",
        "ro_id": "$ro_id",
        "band": age_band(since),
        "currency": "$outstanding.currency",
        "outstanding": "$outstanding.amount",
    }
    pipeline: list[dict[str, Any]] = [
        {"$match": {"phase": {"$in": OPEN_VALUES}}},
        {"$project": project},
        {"$merge": {"into": target, "whenMatched": "replace", "whenNotMatched": "insert"}},
    ]
    await (await Case.get_pymongo_collection().aggregate(pipeline)).to_list()


async def held_by(key: str, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Cases matching `filters` per holder (`key`: a field's `$path`) and currency: how
    many, their arrears and outstanding, and how many closed recovered."""
    cured = {"$cond": [{"$eq": ["$outcome", "recovered"]}, 1, 0]}
    group = {
        "_id": {"holder": key, "currency": "$arrears.currency"},
        "cases": {"$sum": 1},
        "arrears": {"$sum": "$arrears.amount"},
        "outstanding": {"$sum": "$outstanding.amount"},
        "cured": {"$sum": cured},
    }
    rows = await Case.get_pymongo_collection().aggregate([{"$match": filters}, {"$group": group}])
    return await rows.to_list()


async def largest_open(filters: dict[str, Any], *, limit: int) -> list[dict[str, Any]]:
    """The open cases matching `filters` owing most, with the fields a list shows."""
    fields = ("customer_name", "account_id", "drc_id", "ro_id", "overdue_since", "outstanding")
    pipeline: list[dict[str, Any]] = [
        {"$match": {**filters, "phase": {"$in": OPEN_VALUES}}},
        {"$sort": {"outstanding.amount": -1, "_id": 1}},
        {"$limit": limit},
        {"$project": dict.fromkeys(fields, 1)},
    ]
    return await (await Case.get_pymongo_collection().aggregate(pipeline)).to_list()


async def cpe_items_by_type(filters: dict[str, Any]) -> dict[str, int]:
    """Items of equipment to recover on the cases matching `filters`, per item type."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {**filters, "cpe_items.0": {"$exists": True}}},
        {"$unwind": "$cpe_items"},
        {"$group": {"_id": "$cpe_items.type", "n": {"$sum": 1}}},
    ]
    return await figures.totals(await Case.get_pymongo_collection().aggregate(pipeline))
