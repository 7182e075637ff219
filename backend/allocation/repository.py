"""The only code that queries the allocation collections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import SortDirection
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.allocation.models import (
    AllocationAttempt,
    AllocationRule,
    AssignmentCursor,
    AttemptOutcome,
    DrcSlots,
    RankedDrc,
)
from backend.core import clock
from backend.core.ids import object_id


async def get_rule(rule_id: str) -> AllocationRule | None:
    oid = object_id(rule_id)
    return None if oid is None else await AllocationRule.get(oid)


async def list_rules(*, include_inactive: bool) -> list[AllocationRule]:
    filters: dict[str, Any] = {} if include_inactive else {"active": True}
    return (
        await AllocationRule.find(filters)
        .sort([("priority", SortDirection.ASCENDING), ("_id", SortDirection.ASCENDING)])
        .to_list()
    )


async def insert_rule(rule: AllocationRule, *, session: AsyncClientSession) -> AllocationRule:
    return await rule.insert(session=session)


async def set_rule_fields(
    rule_id: Any, fields: dict[str, Any], *, session: AsyncClientSession
) -> None:
    await AllocationRule.get_pymongo_collection().update_one(
        {"_id": rule_id}, {"$set": fields}, session=session
    )


async def attempts_for(case_ids: list[str]) -> dict[str, AllocationAttempt]:
    rows = await AllocationAttempt.find({"_id": {"$in": case_ids}}).to_list()
    return {row.id: row for row in rows}


async def get_attempt(case_id: str) -> AllocationAttempt | None:
    return await AllocationAttempt.get(case_id)


async def record_attempt(
    case_id: str,
    *,
    outcome: AttemptOutcome,
    reason: str,
    rule_id: str | None,
    drc_id: str | None,
    ranking: list[RankedDrc],
    session: AsyncClientSession | None = None,
) -> None:
    """Replace the case's latest attempt, keeping its count and recall note."""
    fields = {
        "at": clock.now(),
        "outcome": outcome.value,
        "reason": reason,
        "rule_id": rule_id,
        "drc_id": drc_id,
        "ranking": [r.model_dump() for r in ranking],
    }
    await AllocationAttempt.get_pymongo_collection().update_one(
        {"_id": case_id}, {"$set": fields, "$inc": {"attempts": 1}}, upsert=True, session=session
    )


async def note_recall(
    case_id: str, drc_id: str | None, *, reason: str, session: AsyncClientSession
) -> None:
    """The case is back in the pool: say why, and remember the DRC it was recalled from."""
    now = clock.now()
    fields = {
        "at": now,
        "outcome": AttemptOutcome.UNALLOCATED.value,
        "reason": reason,
        "rule_id": None,
        "drc_id": None,
        "ranking": [],
        "recalled_from": drc_id,
        "recalled_at": now,
    }
    await AllocationAttempt.get_pymongo_collection().update_one(
        {"_id": case_id},
        {"$set": fields, "$setOnInsert": {"attempts": 0}},
        upsert=True,
        session=session,
    )


async def list_attempts(
    *,
    outcome: AttemptOutcome | None,
    case_id: str | None,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[AllocationAttempt]:
    """Newest first, keyset-paged on (at, _id)."""
    filters: dict[str, Any] = {}
    if outcome is not None:
        filters["outcome"] = outcome.value
    if case_id is not None:
        filters["_id"] = case_id
    if before is not None:
        at, last = before
        filters["$or"] = [{"at": {"$lt": at}}, {"at": at, "_id": {"$lt": last}}]
    return (
        await AllocationAttempt.find(filters)
        .sort([("at", SortDirection.DESCENDING), ("_id", SortDirection.DESCENDING)])
        .limit(limit)
        .to_list()
    )


async def take_slot(drc_id: str, *, session: AsyncClientSession) -> None:
    """Count an allocation to the DRC; concurrent ones conflict here and retry."""
    await DrcSlots.get_pymongo_collection().update_one(
        {"_id": drc_id},
        {"$inc": {"allocated": 1}, "$set": {"last_at": clock.now()}},
        upsert=True,
        session=session,
    )


async def round_robin_cursor(drc_id: str) -> str | None:
    cursor = await AssignmentCursor.get(drc_id)
    return cursor.last_ro_id if cursor else None


async def move_round_robin_cursor(drc_id: str, ro_id: str, *, session: AsyncClientSession) -> None:
    await AssignmentCursor.get_pymongo_collection().update_one(
        {"_id": drc_id},
        {"$set": {"last_ro_id": ro_id, "updated_at": clock.now()}},
        upsert=True,
        session=session,
    )
