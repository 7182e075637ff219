"""Data worked through the services, and a whole database read back exactly (raw BSON),
shared by the retention and backup tests."""

from __future__ import annotations

from typing import Any

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument

from backend.cases import service as cases
from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.core import db
from backend.negotiations import service as negotiations
from backend.users.models import Role, User
from tests.backend.payments.helpers import promised
from tests.factories import make_case, make_user

RAW = CodecOptions(document_class=RawBSONDocument)


async def worked_case(officer: User | None = None, *, close: bool) -> Case:
    """A case an officer negotiated on (a contact with a promise), closed if `close`."""
    officer = officer or await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    await negotiations.record_negotiation(actor=officer, case=case, data=promised(10_000))
    fresh = await cases.get_unscoped(str(case.id))
    assert fresh is not None
    if not close:
        return fresh
    async with db.transaction() as session:
        return await cases.move(
            actor=officer, case=fresh, to=Phase.CLOSED, action="case.close", session=session
        )


async def database_state(database: Any) -> dict[str, Any]:
    """Every collection's documents (raw bytes, by _id) and indexes (as listed)."""
    state: dict[str, Any] = {}
    for name in sorted(await database.list_collection_names()):
        collection = database.get_collection(name, codec_options=RAW)
        docs = [d.raw async for d in collection.find({}).sort("_id", 1)]
        indexes = [
            {k: v for k, v in spec.items() if k not in ("ns", "v")}
            async for spec in await database[name].list_indexes()
        ]
        state[name] = {"documents": docs, "indexes": sorted(indexes, key=lambda i: i["name"])}
    return state
