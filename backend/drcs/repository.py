"""The only code that queries the drcs collection."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from backend.drcs.errors import DrcExists
from backend.drcs.models import Drc


async def get(drc_id: str) -> Drc | None:
    return await Drc.get(drc_id)


async def insert(drc: Drc, *, session: AsyncClientSession | None = None) -> Drc:
    try:
        return await drc.insert(session=session)
    except DuplicateKeyError as exc:
        raise DrcExists(f"DRC {drc.id} already exists") from exc


async def set_fields(
    drc_id: str, fields: dict[str, Any], *, session: AsyncClientSession | None = None
) -> None:
    await Drc.get_pymongo_collection().update_one(
        {"_id": drc_id}, {"$set": fields}, session=session
    )


async def list_all(*, only: str | None = None) -> list[Drc]:
    filters = {"_id": only} if only else {}
    return await Drc.find(filters).sort("_id").to_list()
