"""The only code that touches the settlements collection."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import clock, db
from backend.core.ids import object_id
from backend.settlements.errors import SettlementChanged
from backend.settlements.models import InstalmentStatus, Settlement, SettlementStatus


def midnight(day: date) -> datetime:
    """A UTC day as stored: its first instant."""
    return datetime.combine(day, time.min, tzinfo=UTC)


async def insert(settlement: Settlement, *, session: AsyncClientSession) -> Settlement:
    return await settlement.insert(session=session)


async def get(
    settlement_id: str, *, session: AsyncClientSession | None = None
) -> Settlement | None:
    oid = object_id(settlement_id)
    return None if oid is None else await Settlement.get(oid, session=session)


async def active_for(
    case_id: str, *, session: AsyncClientSession | None = None
) -> Settlement | None:
    return await Settlement.find_one(
        {"case_id": case_id, "status": SettlementStatus.ACTIVE.value}, session=session
    )


async def of_case(case_id: str) -> list[Settlement]:
    """A case's settlements, newest first."""
    return await Settlement.find({"case_id": case_id}).sort("-created_at").to_list()


async def overdue_ids(*, before: date, limit: int) -> list[str]:
    """Active settlements with an instalment due before `before` and not paid in full."""
    query = {
        "status": SettlementStatus.ACTIVE.value,
        "instalments": {
            "$elemMatch": {
                "status": {"$ne": InstalmentStatus.PAID.value},
                "due_date": {"$lt": midnight(before)},
            }
        },
    }
    cursor = Settlement.get_pymongo_collection().find(query, {"_id": 1}).sort("_id", 1).limit(limit)
    return [str(doc["_id"]) async for doc in cursor]


async def save(
    settlement: Settlement, fields: dict[str, Any], *, session: AsyncClientSession
) -> Settlement:
    """Write `fields` if the settlement is still at the version it was read at."""
    changed = SettlementChanged(f"Settlement {settlement.id} changed; retry")
    return await db.update_versioned(
        settlement, {**fields, "updated_at": clock.now()}, changed=changed, session=session
    )


async def active_of_cases(case_ids: list[str]) -> list[Settlement]:
    """Active settlements of `case_ids`, oldest first, one indexed lookup per case."""
    match = {"status": SettlementStatus.ACTIVE.value}
    rows = await db.find_by_keys(
        Settlement, "case_id", case_ids, match=match, sort={"created_at": 1, "_id": 1}
    )
    return [Settlement.model_validate(row) for row in rows]


async def active_with_instalment_due(start: date, end: date, *, limit: int) -> list[Settlement]:
    """Active settlements with an instalment falling due between `start` and `end`."""
    due = {"$gte": midnight(start), "$lte": midnight(end)}
    query = {"status": SettlementStatus.ACTIVE.value, "instalments.due_date": due}
    return await Settlement.find(query).limit(limit).to_list()
