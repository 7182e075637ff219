"""The only code that queries the drcs collection."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import db
from backend.drcs.errors import DrcExists
from backend.drcs.models import Drc


async def get(drc_id: str) -> Drc | None:
    return await Drc.get(drc_id)


async def insert(drc: Drc, *, session: AsyncClientSession | None = None) -> Drc:
    return await db.insert_new(
        drc, exists=DrcExists(f"DRC {drc.id} already exists"), session=session
    )


async def set_fields(
    drc_id: str, fields: dict[str, Any], *, session: AsyncClientSession | None = None
) -> None:
    await db.set_fields(Drc, drc_id, fields, session=session)


async def list_all(*, only: str | None = None) -> list[Drc]:
    filters = {"_id": only} if only else {}
    return await Drc.find(filters).sort("_id").to_list()
