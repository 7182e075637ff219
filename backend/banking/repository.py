"""The only code that touches the `bank_statements` collection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie.odm.utils.encoder import Encoder
from pymongo.errors import DuplicateKeyError

from backend.banking.models import BankStatement, ImportStatus, StatementLineRead
from backend.core import clock


async def claim(statement: BankStatement) -> BankStatement | None:
    """Insert the statement as importing; None when a file with its content exists."""
    try:
        return await statement.insert()
    except DuplicateKeyError:
        return None


async def get(statement_id: str) -> BankStatement | None:
    return await BankStatement.get(statement_id)


async def add_line(statement: BankStatement, line: StatementLineRead) -> None:
    """Record one line's outcome as soon as its receipt is booked."""
    await BankStatement.get_pymongo_collection().update_one(
        {"_id": statement.id},
        {
            "$push": {"lines": Encoder().encode(line)},
            "$inc": {f"counts.{line.outcome}": 1},
            "$set": {"touched_at": clock.now()},
        },
    )


async def take_over(statement: BankStatement) -> bool:
    """Take an interrupted import for this process: False when another took it first."""
    result = await BankStatement.get_pymongo_collection().update_one(
        {
            "_id": statement.id,
            "status": ImportStatus.IMPORTING.value,
            "touched_at": statement.touched_at,
        },
        {"$set": {"touched_at": clock.now()}},
    )
    return result.modified_count == 1


async def finish(statement: BankStatement, *, at: datetime) -> None:
    await BankStatement.get_pymongo_collection().update_one(
        {"_id": statement.id},
        {"$set": {"status": ImportStatus.IMPORTED.value, "imported_at": at}},
    )


async def fetched(remote_ids: list[str]) -> list[BankStatement]:
    """The statements fetched before under any of the bank's file ids."""
    return await BankStatement.find({"remote_id": {"$in": remote_ids}}).to_list()


async def latest(*, before: datetime | None, limit: int) -> list[dict[str, Any]]:
    """The newest statements first, without their lines (as stored)."""
    query: dict[str, Any] = {} if before is None else {"started_at": {"$lt": before}}
    cursor = BankStatement.get_pymongo_collection().find(query, {"lines": 0})
    return await cursor.sort("started_at", -1).limit(limit).to_list(None)
