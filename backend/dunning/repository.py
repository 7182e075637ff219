"""The only code that touches the dunning collections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

from beanie import PydanticObjectId
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import db
from backend.dunning.models import (
    Escalation,
    Ladder,
    LedgerEntry,
    Standing,
    Strategy,
    StrategyVersion,
)

Session = AsyncClientSession | None


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
    return await Strategy.find({}).sort("+_id").to_list()


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


async def delete_entry(entry_id: Any) -> None:
    await LedgerEntry.get_pymongo_collection().delete_one({"_id": entry_id})


async def ledger(account_id: str, *, limit: int = 500) -> list[LedgerEntry]:
    return await LedgerEntry.find({"account_id": account_id}).sort("+_id").limit(limit).to_list()


async def taken_keys(account_id: str, cycle: int, *, session: Session = None) -> set[str]:
    rows = LedgerEntry.get_pymongo_collection().find(
        {"account_id": account_id, "cycle": cycle}, {"step": 1}, session=session
    )
    return {row["step"] async for row in rows}


async def insert_escalation(found: Escalation, *, session: Session = None) -> None:
    """Raises DuplicateKeyError when the cycle has one already."""
    await found.insert(session=session)


async def escalation(escalation_id: str, *, session: Session = None) -> Escalation | None:
    return await Escalation.get(ObjectId(escalation_id), session=session)


async def escalations(
    filters: dict[str, Any], *, after: ObjectId | None, limit: int
) -> list[Escalation]:
    query = {**filters, **({"_id": {"$gt": after}} if after else {})}
    return await Escalation.find(query).sort("+_id").limit(limit).to_list()


async def update_escalation(
    escalation_id: Any, expected: str, fields: dict[str, Any], *, session: Session = None
) -> bool:
    """Change an escalation still in `expected` status; False when it moved on meanwhile."""
    done = await Escalation.get_pymongo_collection().update_one(
        {"_id": escalation_id, "status": expected}, {"$set": fields}, session=session
    )
    return done.modified_count == 1
