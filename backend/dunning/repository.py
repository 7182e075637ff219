"""The only code that touches the dunning collections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from backend.cases.models import Case
from backend.core import db
from backend.dunning.models import (
    Experiment,
    ExperimentMember,
    ExperimentStatus,
    Ladder,
    LedgerEntry,
    Standing,
    Strategy,
    StrategyVersion,
)
from backend.notifications.models import Delivery
from backend.payments.models import Payment

Session = AsyncClientSession | None
DAY_MS = 86_400_000


async def _upsert(document: Any, *, session: Session) -> None:
    await (
        type(document)
        .get_pymongo_collection()
        .replace_one(
            {"_id": document.id},
            document.model_dump(by_alias=True, mode="python"),
            upsert=True,
            session=session,
        )
    )


# a chunk's standings read in one query; each handed out once, outside transactions
_standings_ahead: ContextVar[dict[str, Standing | None] | None] = ContextVar(
    "dunning_standings_ahead", default=None
)


@asynccontextmanager
async def standings_ahead(account_ids: list[str]) -> AsyncIterator[None]:
    """Within the block, `standing` answers each of these accounts once from one read."""
    rows = await db.find_by_keys(Standing, "_id", account_ids)
    found: dict[str, Standing | None] = dict.fromkeys(account_ids)
    found |= {row["_id"]: Standing.model_validate(row) for row in rows}
    token = _standings_ahead.set(found)
    try:
        yield
    finally:
        _standings_ahead.reset(token)


async def standing(account_id: str, *, session: Session = None) -> Standing | None:
    ahead = _standings_ahead.get()
    if session is None and ahead is not None and account_id in ahead:
        return ahead.pop(account_id)
    return await Standing.get(account_id, session=session)


async def save_standing(found: Standing, *, session: Session = None) -> None:
    await _upsert(found, session=session)


async def ladder(account_id: str, *, session: Session = None) -> Ladder | None:
    return await Ladder.get(account_id, session=session)


async def save_ladder(found: Ladder, *, session: Session = None) -> None:
    await _upsert(found, session=session)


async def strategies() -> list[Strategy]:
    """The segments' own strategies (champions), not their challengers."""
    return await Strategy.find({"challenger_of": None}).sort("+_id").to_list()


async def strategy(strategy_id: str, *, session: Session = None) -> Strategy | None:
    return await Strategy.get(strategy_id, session=session)


async def save_strategy(found: Strategy, *, session: AsyncClientSession) -> None:
    await _upsert(found, session=session)
    version = StrategyVersion(
        strategy_id=found.id,
        version=found.version,
        name=found.name,
        steps=found.steps,
        created_by=found.updated_by,
        created_at=found.updated_at,
    )
    await version.insert(session=session)


async def versions(strategy_id: str) -> list[StrategyVersion]:
    return await StrategyVersion.find({"strategy_id": strategy_id}).sort("-version").to_list()


async def insert_entries(entries: list[LedgerEntry], *, session: AsyncClientSession) -> None:
    """Raises DuplicateKeyError when a step was taken already in the cycle."""
    for entry in entries:
        entry.id = entry.id or PydanticObjectId()  # insert_many does not hand ids back
    await LedgerEntry.insert_many(entries, session=session)


async def set_entry(entry_id: Any, fields: dict[str, Any]) -> None:
    await LedgerEntry.get_pymongo_collection().update_one({"_id": entry_id}, {"$set": fields})


async def ledger(account_id: str, *, limit: int = 500) -> list[LedgerEntry]:
    return await LedgerEntry.find({"account_id": account_id}).sort("+_id").limit(limit).to_list()


async def taken_keys(account_id: str, cycle: int, *, session: Session = None) -> set[str]:
    rows = LedgerEntry.get_pymongo_collection().find(
        {"account_id": account_id, "cycle": cycle}, {"step": 1}, session=session
    )
    return {row["step"] async for row in rows}


# --------------------------------------------------------------------------- experiments


async def running_experiments() -> list[Experiment]:
    return await Experiment.find({"status": ExperimentStatus.RUNNING.value}).to_list()


async def latest_experiment(segment_id: str, *, session: Session = None) -> Experiment | None:
    """The segment's running experiment, else its last one."""
    running = {"segment_id": segment_id, "status": ExperimentStatus.RUNNING.value}
    found = await Experiment.find_one(running, session=session)
    if found is not None:
        return found
    last = await Experiment.find({"segment_id": segment_id}).sort("-_id").limit(1).to_list()
    return last[0] if last else None


async def save_experiment(found: Experiment, *, session: AsyncClientSession) -> None:
    """Raises DuplicateKeyError when the segment runs another experiment already."""
    if found.id is None:
        await found.insert(session=session)
    else:
        await found.replace(session=session)


async def enrol(member: ExperimentMember) -> None:
    """Place the cycle in its arm once; a repeated evaluation keeps the first placement."""
    try:
        await member.insert()
    except DuplicateKeyError:
        return


async def _aggregate(model: Any, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cursor = await model.get_pymongo_collection().aggregate(pipeline)
    return await cursor.to_list(None)


async def arm_outcomes(experiment_id: str) -> list[dict[str, Any]]:
    """Per arm: accounts, and cures (the cycle ended, which only payment or an
    arrangement does)."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {"experiment_id": experiment_id}},
        {
            "$lookup": {
                "from": Standing.get_collection_name(),
                "localField": "account_id",
                "foreignField": "_id",
                "as": "standing",
            }
        },
        {"$unwind": "$standing"},
        {
            "$group": {
                "_id": "$arm",
                "accounts": {"$sum": 1},
                "cures": {"$sum": {"$cond": [_cured(), 1, 0]}},
            }
        },
    ]
    return await _aggregate(ExperimentMember, pipeline)


def _cured() -> dict[str, Any]:
    return {
        "$or": [
            {"$gt": ["$standing.cycle", "$cycle"]},
            {
                "$and": [
                    {"$eq": ["$standing.cycle", "$cycle"]},
                    {"$eq": ["$standing.overdue", False]},
                ]
            },
        ]
    }


def _members_payments(days: int) -> list[dict[str, Any]]:
    """Stages giving one row per member and payment applied to its cases within `days`
    of the member's cycle start."""
    end = {"$add": ["$$start", days * DAY_MS]}
    within = {"$expr": {"$and": [{"$gte": ["$paid_at", "$$start"]}, {"$lt": ["$paid_at", end]}]}}
    return [
        {
            "$lookup": {
                "from": Case.get_collection_name(),
                "localField": "account_id",
                "foreignField": "account_id",
                "pipeline": [{"$project": {"_id": 1}}],
                "as": "cases",
            }
        },
        {"$unwind": "$cases"},
        {"$set": {"case_id": {"$toString": "$cases._id"}}},
        {
            "$lookup": {
                "from": Payment.get_collection_name(),
                "localField": "case_id",
                "foreignField": "case_id",
                "let": {"start": "$started_at"},
                "pipeline": [
                    {"$match": {"status": "applied", **within}},
                    {"$project": {"paid_at": 1, "amount": 1}},
                ],
                "as": "payments",
            }
        },
        {"$unwind": "$payments"},
    ]


def _paid_within(days: int) -> dict[str, Any]:
    before = {"$lt": ["$payments.paid_at", {"$add": ["$started_at", days * DAY_MS]}]}
    return {"$sum": {"$cond": [before, "$payments.amount.amount", 0]}}


async def arm_collections(experiment_id: str, windows: tuple[int, ...]) -> list[dict[str, Any]]:
    """Per arm and currency, for each window of days from the cycle's start: the sum over
    accounts of the amount each paid, and the sum of its squares (for the spread)."""
    member = {"member": "$_id", "arm": "$arm", "currency": "$payments.amount.currency"}
    pipeline: list[dict[str, Any]] = [
        {"$match": {"experiment_id": experiment_id}},
        *_members_payments(max(windows)),
        {"$group": {"_id": member, **{f"w{d}": _paid_within(d) for d in windows}}},
        {
            "$group": {
                "_id": {"arm": "$_id.arm", "currency": "$_id.currency"},
                **{f"s{d}": {"$sum": f"$w{d}"} for d in windows},
                **{f"q{d}": {"$sum": {"$multiply": [f"$w{d}", f"$w{d}"]}} for d in windows},
            }
        },
    ]
    return await _aggregate(ExperimentMember, pipeline)


async def arm_messages(experiment_id: str) -> list[dict[str, Any]]:
    """Per arm and channel: the ladder's messages that were sent."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {"experiment_id": experiment_id}},
        {"$unwind": "$delivery_ids"},
        {"$set": {"delivery_id": {"$toObjectId": "$delivery_ids"}}},
        {
            "$lookup": {
                "from": Delivery.get_collection_name(),
                "localField": "delivery_id",
                "foreignField": "_id",
                "pipeline": [{"$match": {"status": "sent"}}, {"$project": {"channel": 1}}],
                "as": "delivery",
            }
        },
        {"$unwind": "$delivery"},
        {"$group": {"_id": {"arm": "$arm", "channel": "$delivery.channel"}, "sent": {"$sum": 1}}},
    ]
    return await _aggregate(LedgerEntry, pipeline)


async def segment_outcomes(*, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Accounts per segment now: how many, overdue, under an arrangement, and cleared in
    [since, until) (the cycle ended by payment or arrangement)."""
    cleared = {"$and": [{"$gte": ["$cleared_at", since]}, {"$lt": ["$cleared_at", until]}]}
    group = {
        "_id": "$segment_id",
        "accounts": {"$sum": 1},
        "overdue": {"$sum": {"$cond": ["$overdue", 1, 0]}},
        "arranged": {"$sum": {"$cond": ["$under_arrangement", 1, 0]}},
        "cleared": {
            "$sum": {"$cond": [{"$ifNull": ["$cleared_at", False]}, {"$cond": [cleared, 1, 0]}, 0]}
        },
    }
    return await _aggregate(Standing, [{"$group": group}])


async def customers_overdue(customer_ids: list[str]) -> set[str]:
    """Those of these customers with an account overdue in its dunning cycle."""
    filters = {"overdue": True, "facts.customer_id": {"$in": customer_ids}}
    return set(await Standing.get_pymongo_collection().distinct("facts.customer_id", filters))
