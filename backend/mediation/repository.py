"""The only code that touches the mediation_files collection.

Writes are version-guarded replaces; hearings and submissions are append-only
lists inside the file, so a retried write never duplicates or loses one.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import clock, db
from backend.mediation.errors import MediationChanged
from backend.mediation.models import MediationFile


async def get(case_id: str, *, session: AsyncClientSession | None = None) -> MediationFile | None:
    return await MediationFile.get(case_id, session=session)


async def save(file: MediationFile, *, session: AsyncClientSession) -> MediationFile:
    """Insert a new file, or replace a stored one still at the version it was read at."""
    file.updated_at = clock.now()
    changed = MediationChanged(f"Board file of case {file.id} changed; reload and retry")
    return await db.save_versioned(file, changed=changed, session=session)


async def with_next_hearing(
    *, until: datetime, case_ids: list[str] | None, limit: int
) -> list[MediationFile]:
    """Files whose next hearing is on or before `until`, soonest first."""
    filters: dict = {"next_hearing_at": {"$lte": until}}
    if case_ids is not None:
        filters["_id"] = {"$in": case_ids}
    return await MediationFile.find(filters).sort("next_hearing_at").limit(limit).to_list()


async def hearings_between(*, start: datetime, end: datetime, limit: int) -> list[MediationFile]:
    """Files whose next hearing falls in [start, end), soonest first."""
    filters = {"next_hearing_at": {"$gte": start, "$lt": end}}
    return await MediationFile.find(filters).sort("next_hearing_at").limit(limit).to_list()


async def next_hearings() -> dict[str, datetime]:
    """Every file's next hearing, by case id, for files that have one set.

    A range from the epoch rather than `$ne: None`, so the next_hearing_at index answers."""
    filters = {"next_hearing_at": {"$gte": datetime(1970, 1, 1, tzinfo=UTC)}}
    cursor = MediationFile.get_pymongo_collection().find(filters, {"next_hearing_at": 1})
    return {doc["_id"]: doc["next_hearing_at"] async for doc in cursor}


async def many(case_ids: list[str]) -> list[MediationFile]:
    """The files of `case_ids`, one indexed lookup per case."""
    rows = await db.find_by_keys(MediationFile, "_id", case_ids)
    return [MediationFile.model_validate(row) for row in rows]
