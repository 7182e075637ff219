"""The only code that touches the reports' collections: snapshots, subscriptions, sends."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.errors import DuplicateKeyError

from backend.core import clock
from backend.reports.models import (
    CaseSnapshot,
    ReportSend,
    ReportSubscription,
    SendStatus,
    SnapshotRun,
)


def snapshot_collection() -> str:
    return CaseSnapshot.get_collection_name()


async def clear_snapshot(day: str) -> None:
    await CaseSnapshot.get_pymongo_collection().delete_many({"day": day})
    await SnapshotRun.get_pymongo_collection().delete_one({"_id": day})


async def finish_snapshot(day: str) -> int:
    """Mark `day`'s snapshot complete; how many cases it holds."""
    count = await CaseSnapshot.get_pymongo_collection().count_documents({"day": day})
    await SnapshotRun(id=day, cases=count).save()
    return count


async def snapshot_days(*, first: str, last: str) -> list[str]:
    """The complete snapshots' days in [first, last], oldest first."""
    cursor = SnapshotRun.get_pymongo_collection().find(
        {"_id": {"$gte": first, "$lte": last}}, projection={"_id": 1}
    )
    return sorted([row["_id"] async for row in cursor])


async def roll_counts(day: str, next_day: str, match: dict[str, Any]) -> dict[tuple, int]:
    """Cases in the snapshot of `day` (held as `match` says then) per (band on `day`, band
    on `next_day` or None when no longer open), on the database."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {"day": {"$in": [day, next_day]}}},
        {"$match": {"$or": [{"day": next_day}, {**match, "day": day}]}},
        {
            "$group": {
                "_id": "$case_id",
                "from": {"$max": {"$cond": [{"$eq": ["$day", day]}, "$band", None]}},
                "to": {"$max": {"$cond": [{"$eq": ["$day", next_day]}, "$band", None]}},
            }
        },
        {"$match": {"from": {"$ne": None}}},
        {"$group": {"_id": {"from": "$from", "to": "$to"}, "n": {"$sum": 1}}},
    ]
    rows = await CaseSnapshot.get_pymongo_collection().aggregate(pipeline)
    return {(r["_id"]["from"], r["_id"].get("to")): r["n"] async for r in rows}


async def aging_on(day: str, match: dict[str, Any]) -> dict[tuple[int, str], tuple[int, int]]:
    """The snapshot of `day` (held as `match` says) per (band, currency): cases, owed."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {**match, "day": day}},
        {
            "$group": {
                "_id": {"band": "$band", "currency": "$currency"},
                "n": {"$sum": 1},
                "owed": {"$sum": "$outstanding"},
            }
        },
    ]
    rows = await CaseSnapshot.get_pymongo_collection().aggregate(pipeline)
    return {(r["_id"]["band"], r["_id"]["currency"]): (r["n"], r["owed"]) async for r in rows}


async def insert_subscription(subscription: ReportSubscription) -> ReportSubscription:
    return await subscription.insert()


async def subscriptions(match: dict[str, Any]) -> list[ReportSubscription]:
    return await ReportSubscription.find(match).sort("created_at").to_list()


async def subscription(subscription_id: str) -> ReportSubscription | None:
    if not ObjectId.is_valid(subscription_id):
        return None
    return await ReportSubscription.get(ObjectId(subscription_id))


async def deactivate(subscription_id: str) -> None:
    await ReportSubscription.get_pymongo_collection().update_one(
        {"_id": ObjectId(subscription_id)}, {"$set": {"active": False}}
    )


async def claim_send(subscription_id: str, period: str, *, max_attempts: int) -> ReportSend | None:
    """The period's send, claimed for this run: new, or a failed one with attempts left;
    None when it was sent, is being sent, or ran out of attempts (exactly once per period)."""
    try:
        return await ReportSend(subscription_id=subscription_id, period=period).insert()
    except DuplicateKeyError:
        pass
    retry = {
        "subscription_id": subscription_id,
        "period": period,
        "status": SendStatus.FAILED.value,
        "attempts": {"$lt": max_attempts},
    }
    change = {"$set": {"status": SendStatus.SENDING.value, "started_at": clock.now()}}
    result = await ReportSend.get_pymongo_collection().update_one(
        retry, {**change, "$inc": {"attempts": 1}}
    )
    if not result.modified_count:
        return None
    return await ReportSend.find_one({"subscription_id": subscription_id, "period": period})


async def finish_send(
    send: ReportSend, *, status: SendStatus, recipients: list[str], detail: str | None
) -> None:
    sent_at: datetime | None = clock.now() if status is SendStatus.SENT else None
    fields = {"status": status.value, "recipients": recipients, "detail": detail}
    await ReportSend.get_pymongo_collection().update_one(
        {"_id": send.id}, {"$set": {**fields, "sent_at": sent_at}}
    )


async def sends_of(subscription_id: str, *, limit: int) -> list[ReportSend]:
    found = ReportSend.find({"subscription_id": subscription_id})
    return await found.sort("-started_at").limit(limit).to_list()
