"""The only code that touches the negotiations and promises collections."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.cases.contacts import RECENT_CONTACTS, ContactDigest
from backend.core import clock, db, figures
from backend.core.ids import object_id, object_ids
from backend.negotiations.errors import PromiseChanged
from backend.negotiations.models import Negotiation, Promise, PromiseState


def midnight(day: date) -> datetime:
    """A UTC day as stored: its first instant."""
    return datetime.combine(day, time.min, tzinfo=UTC)


async def insert_negotiation(record: Negotiation, *, session: AsyncClientSession) -> Negotiation:
    return await record.insert(session=session)


async def insert_promise(promise: Promise, *, session: AsyncClientSession) -> Promise:
    return await promise.insert(session=session)


async def page(
    case_id: str, *, after: tuple[datetime, ObjectId] | None, limit: int
) -> list[Negotiation]:
    """A case's records, most recent contact first."""
    query: dict[str, Any] = {"case_id": case_id}
    if after is not None:
        at, last_id = after
        query["$or"] = [
            {"contacted_at": {"$lt": at}},
            {"contacted_at": at, "_id": {"$lt": last_id}},
        ]
    return await Negotiation.find(query).sort("-contacted_at", "-_id").limit(limit).to_list()


async def last_contacts(case_ids: list[str]) -> dict[str, Negotiation]:
    """The most recent record of each case."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {"case_id": {"$in": case_ids}}},
        {"$sort": {"contacted_at": -1, "_id": -1}},
        {"$group": {"_id": "$case_id", "last": {"$first": "$$ROOT"}}},
    ]
    rows = await Negotiation.get_pymongo_collection().aggregate(pipeline)
    return {row["_id"]: Negotiation.model_validate(row["last"]) async for row in rows}


async def get_promise(promise_id: str, *, session: AsyncClientSession) -> Promise | None:
    oid = object_id(promise_id)
    return None if oid is None else await Promise.get(oid, session=session)


async def promises_by_ids(ids: list[str]) -> dict[str, Promise]:
    oids = object_ids(ids)
    if not oids:
        return {}
    return {str(p.id): p for p in await Promise.find({"_id": {"$in": oids}}).to_list()}


async def open_promises(
    case_id: str, *, due_on_or_after: date, session: AsyncClientSession
) -> list[Promise]:
    """Open promises still in time, soonest due first."""
    query = {
        "case_id": case_id,
        "state": PromiseState.OPEN.value,
        "due_date": {"$gte": midnight(due_on_or_after)},
    }
    return await Promise.find(query, session=session).sort("+due_date", "+_id").to_list()


async def promises_of(case_ids: list[str], *, state: PromiseState) -> list[Promise]:
    query = {"case_id": {"$in": case_ids}, "state": state.value}
    return await Promise.find(query).sort("+due_date", "+_id").to_list()


async def cases_with_open_promises() -> list[str]:
    return list(
        await Promise.get_pymongo_collection().distinct(
            "case_id", {"state": PromiseState.OPEN.value}
        )
    )


async def open_promises_due(day: date, *, limit: int) -> list[Promise]:
    """Open promises falling due on `day`."""
    day_range = {"$gte": midnight(day), "$lt": midnight(day + timedelta(days=1))}
    query = {"state": PromiseState.OPEN.value, "due_date": day_range}
    return await Promise.find(query).sort("+_id").limit(limit).to_list()


async def overdue_promise_ids(*, before: date, limit: int) -> list[str]:
    """Open promises whose due day ended before `before`."""
    query = {"state": PromiseState.OPEN.value, "due_date": {"$lt": midnight(before)}}
    cursor = Promise.get_pymongo_collection().find(query, {"_id": 1}).sort("_id", 1).limit(limit)
    return [str(doc["_id"]) async for doc in cursor]


async def update_promise(
    promise: Promise, fields: dict[str, Any], *, session: AsyncClientSession
) -> Promise:
    """Write `fields` if the promise is still at the version it was read at."""
    changed = PromiseChanged(f"Promise {promise.id} changed; retry")
    return await db.update_versioned(
        promise, {**fields, "updated_at": clock.now()}, changed=changed, session=session
    )


async def digests_from_records(
    case_ids: list[str], *, session: AsyncClientSession | None = None
) -> dict[str, ContactDigest]:
    """Digests counted from the records, for the cases among `case_ids` that have any."""
    rows = await db.find_by_keys(
        Negotiation,
        "case_id",
        case_ids,
        sort={"case_id": 1, "contacted_at": -1, "_id": -1},
        session=session,
    )
    built: dict[str, ContactDigest] = {}
    for row in rows:
        digest = built.setdefault(row["case_id"], ContactDigest())
        digest.total += 1
        if digest.total <= RECENT_CONTACTS:
            digest.recent.append(Negotiation.model_validate(row).brief())
    return built


async def open_promises_of(case_ids: list[str]) -> list[Promise]:
    """Open promises of `case_ids`, soonest due first, one indexed lookup per case."""
    match = {"state": PromiseState.OPEN.value}
    rows = await db.find_by_keys(
        Promise, "case_id", case_ids, match=match, sort={"due_date": 1, "_id": 1}
    )
    return [Promise.model_validate(row) for row in rows]


async def contacts_by(key: str, match: dict[str, Any], *, since: datetime) -> dict[str, int]:
    """Contact records since `since` in `match`, counted per `key` on the database."""
    pipeline: list[dict[str, Any]] = [
        {"$match": {**match, "contacted_at": {"$gte": since}}},
        {"$group": {"_id": key, "n": {"$sum": 1}}},
    ]
    return await figures.totals(await Negotiation.get_pymongo_collection().aggregate(pipeline))


_SETTLED = (PromiseState.KEPT.value, PromiseState.BROKEN.value)


async def promises_settled_by(
    key: str, match: dict[str, Any], *, since: datetime
) -> dict[str, dict[str, int]]:
    """Promises kept and broken since `since` in `match`, counted per `key` and state.

    A promise is settled with `updated_at` set to the same moment, so the range is on
    `updated_at` (an index beside the reach's field); the settling time decides."""
    counts = {state: _settled_since(state, since) for state in _SETTLED}
    pipeline: list[dict[str, Any]] = [
        {"$match": {**match, "updated_at": {"$gte": since}, "state": {"$in": list(_SETTLED)}}},
        {"$group": {"_id": key, **counts}},
    ]
    found: dict[str, dict[str, int]] = {}
    async for row in await Promise.get_pymongo_collection().aggregate(pipeline):
        if row["_id"] is not None:
            found[row["_id"]] = {state: row[state] for state in _SETTLED}
    return found


def _settled_since(state: str, since: datetime) -> dict[str, Any]:
    """Sums 1 for a promise settled in `state` ("kept", "broken") at or after `since`."""
    when = {"$ifNull": [f"${state}_at", None]}
    met = {"$and": [{"$eq": ["$state", state]}, {"$gte": [when, since]}]}
    return {"$sum": {"$cond": [met, 1, 0]}}


async def open_promises_due_between(start: date, end: date, *, limit: int) -> list[Promise]:
    """Open promises falling due between `start` and `end`."""
    query = {
        "state": PromiseState.OPEN.value,
        "due_date": {"$gte": midnight(start), "$lte": midnight(end)},
    }
    return await Promise.find(query).limit(limit).to_list()


async def contact_results(
    key: str, match: dict[str, Any], *, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Contacts recorded in [since, until) per `key`: attempts, the right party reached,
    and promises to pay made."""
    reached = {"$cond": [{"$eq": ["$result", "reached"]}, 1, 0]}
    promised = {"$cond": [{"$eq": ["$outcome", "promise_to_pay"]}, 1, 0]}
    pipeline: list[dict[str, Any]] = [
        {"$match": {**match, "contacted_at": {"$gte": since, "$lt": until}}},
        {
            "$group": {
                "_id": key,
                "attempts": {"$sum": 1},
                "reached": {"$sum": reached},
                "promised": {"$sum": promised},
            }
        },
    ]
    return await (await Negotiation.get_pymongo_collection().aggregate(pipeline)).to_list()


async def promise_states(
    key: str, match: dict[str, Any], *, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Promises made in [since, until) per `key` and currency, then state: how many and
    their promised minor units."""
    group_key = {"holder": key, "currency": "$amount.currency", "state": "$state"}
    pipeline: list[dict[str, Any]] = [
        {"$match": {**match, "created_at": {"$gte": since, "$lt": until}}},
        {"$group": {"_id": group_key, "n": {"$sum": 1}, "amount": {"$sum": "$amount.amount"}}},
    ]
    return await (await Promise.get_pymongo_collection().aggregate(pipeline)).to_list()
