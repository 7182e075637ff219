"""The only code that touches the cases and open_case_keys collections.

Every change goes through `apply`: it bumps the version (guarded, so concurrent
writers cannot lose each other's work), appends history and writes the audit record
in the caller's transaction.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from backend.audit import service as audit
from backend.audit.service import Actor
from backend.cases.errors import CaseAlreadyOpen, CaseChanged
from backend.cases.models import Case, CaseEvent, OpenCaseKey, summary
from backend.cases.phases import Phase


async def get(case_id: str, *, session: AsyncClientSession | None = None) -> Case | None:
    if not ObjectId.is_valid(case_id):
        return None
    return await Case.get(ObjectId(case_id), session=session)


async def open_case_for(key: str) -> str | None:
    """The id of the open case holding an account|product|action key, if any."""
    held = await OpenCaseKey.get(key)
    return held.case_id if held else None


async def insert(
    case: Case, keys: list[str], *, actor: Actor | None, session: AsyncClientSession
) -> Case:
    """Create a case and claim its open keys; a key already held raises CaseAlreadyOpen."""
    case.id = ObjectId()
    for key in keys:
        try:
            await OpenCaseKey(id=key, case_id=str(case.id)).insert(session=session)
        except DuplicateKeyError as exc:
            raise CaseAlreadyOpen(f"An open case already covers {key}", key=key) from exc
    await case.insert(session=session)
    await audit.record(
        actor=actor,
        action="case.open",
        entity_type="case",
        entity_id=str(case.id),
        after=summary(case),
        drc_id=case.drc_id,
        session=session,
    )
    return case


async def apply(
    case: Case,
    *,
    actor: Actor | None,
    action: str,
    changes: dict[str, Any],
    event: CaseEvent | None,
    session: AsyncClientSession,
) -> Case:
    """Write `changes` if the case is still at the version it was read at."""
    before = summary(case)
    now = datetime.now(UTC)
    fields = {**changes, "version": case.version + 1, "updated_at": now}
    update: dict[str, Any] = {"$set": _to_mongo(fields)}
    if event is not None:
        update["$push"] = {"history": event.model_dump(mode="python")}
    result = await Case.get_pymongo_collection().update_one(
        {"_id": case.id, "version": case.version}, update, session=session
    )
    if result.matched_count == 0:
        raise CaseChanged(f"Case {case.id} changed; reload and retry")
    for name, value in fields.items():
        setattr(case, name, value)
    if event is not None:
        case.history.append(event)
    if case.phase is Phase.CLOSED:
        await OpenCaseKey.get_pymongo_collection().delete_many(
            {"case_id": str(case.id)}, session=session
        )
    old, new = audit.diff(before, summary(case))
    await audit.record(
        actor=actor,
        action=action,
        entity_type="case",
        entity_id=str(case.id),
        before=old,
        after=new,
        drc_id=case.drc_id,
        session=session,
    )
    return case


def _to_mongo(fields: dict[str, Any]) -> dict[str, Any]:
    """Pydantic values (Money, enums, models) as BSON-ready Python values."""
    return {name: _plain(value) for name, value in fields.items()}


def _plain(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="python")
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if hasattr(value, "value") and isinstance(getattr(value, "value", None), str):
        return value.value
    return value


async def find(filters: dict[str, Any], *, sort: list[tuple[str, int]], limit: int) -> list[Case]:
    return await Case.find(filters).sort(sort).limit(limit).to_list()


async def count_by_phase(filters: dict[str, Any]) -> dict[str, int]:
    pipeline = [{"$match": filters}, {"$group": {"_id": "$phase", "n": {"$sum": 1}}}]
    rows = await Case.get_pymongo_collection().aggregate(pipeline)
    return {row["_id"]: row["n"] async for row in rows}


async def ids_where(filters: dict[str, Any], *, limit: int = 10_000) -> list[str]:
    cursor = Case.get_pymongo_collection().find(filters, {"_id": 1}).limit(limit)
    return [str(doc["_id"]) async for doc in cursor]
