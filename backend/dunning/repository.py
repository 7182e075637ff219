"""The only code that touches the dunning collections."""

from __future__ import annotations

from typing import Any

from beanie import PydanticObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.dunning.models import (
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


async def standing(account_id: str, *, session: Session = None) -> Standing | None:
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
