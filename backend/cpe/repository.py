"""The only code that touches the cpe_collections collection.

Writes are version-guarded replaces, so two devices recording items of one case at
once cannot lose each other's work: the later one gets `cpe.changed` and retries.
"""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import clock, db
from backend.cpe.errors import CpeChanged
from backend.cpe.models import CpeCollection


async def get(case_id: str, *, session: AsyncClientSession | None = None) -> CpeCollection | None:
    return await CpeCollection.get(case_id, session=session)


async def save(collection: CpeCollection, *, session: AsyncClientSession) -> CpeCollection:
    """Insert a new record, or replace a stored one still at the version it was read at."""
    collection.updated_at = clock.now()
    changed = CpeChanged(f"Equipment of case {collection.id} changed; reload and retry")
    return await db.save_versioned(collection, changed=changed, session=session)


async def many(case_ids: list[str]) -> list[CpeCollection]:
    """The records of `case_ids`, one indexed lookup per case."""
    rows = await db.find_by_keys(CpeCollection, "_id", case_ids)
    return [CpeCollection.model_validate(row) for row in rows]
