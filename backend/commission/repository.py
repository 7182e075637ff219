"""The only code that touches the commission collections."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.commission.errors import RatesChanged
from backend.commission.models import CommissionEntry, CommissionRateTable
from backend.core import db


async def latest_version(*, session: AsyncClientSession) -> int:
    newest = await CommissionRateTable.find({}, session=session).sort("-version").limit(1).to_list()
    return newest[0].version if newest else 0


async def insert_table(
    table: CommissionRateTable, *, session: AsyncClientSession
) -> CommissionRateTable:
    return await db.insert_new(
        table, exists=RatesChanged("Another version was just created; retry"), session=session
    )


async def tables() -> list[CommissionRateTable]:
    """Every version, newest first."""
    return await CommissionRateTable.find({}).sort("-version").to_list()


async def table_in_effect(
    day: date, *, session: AsyncClientSession | None = None
) -> CommissionRateTable | None:
    """The newest version whose effective day is `day` or earlier."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    found = (
        await CommissionRateTable.find({"effective_from": {"$lte": start}}, session=session)
        .sort("-effective_from", "-version")
        .limit(1)
        .to_list()
    )
    return found[0] if found else None


async def by_key(key: str, *, session: AsyncClientSession) -> CommissionEntry | None:
    return await CommissionEntry.find_one({"key": key}, session=session)


async def insert_entry(entry: CommissionEntry, *, session: AsyncClientSession) -> CommissionEntry:
    return await entry.insert(session=session)


async def entries_of(drc_id: str, month: str) -> list[CommissionEntry]:
    return await CommissionEntry.find({"drc_id": drc_id, "month": month}).sort("+_id").to_list()


async def totals_by_drc_month(match: dict[str, Any], *, first: str, last: str) -> list[dict]:
    """Entries booked in months `first`..`last` (YYYY-MM) per DRC, month, currency and
    kind: how many and their minor units."""
    key = {"drc_id": "$drc_id", "month": "$month", "currency": "$amount.currency", "kind": "$kind"}
    pipeline: list[dict[str, Any]] = [
        {"$match": {**match, "month": {"$gte": first, "$lte": last}}},
        {"$group": {"_id": key, "n": {"$sum": 1}, "amount": {"$sum": "$amount.amount"}}},
    ]
    return await (await CommissionEntry.get_pymongo_collection().aggregate(pipeline)).to_list()
