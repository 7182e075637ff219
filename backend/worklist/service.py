"""The staff worklist: items the system opens, operator staff claim and close."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.core import clock, db
from backend.core.errors import Forbidden
from backend.core.pagination import Page, decode_keyset, encode_keyset
from backend.users.models import User
from backend.worklist import repository
from backend.worklist.errors import (
    WorkItemChanged,
    WorkItemClaimed,
    WorkItemClosed,
    WorkItemNotFound,
)
from backend.worklist.models import WorkItem, WorkKind, WorkNote, WorkStatus
from backend.worklist.schemas import WorkFilters, WorkItemRead


def _require_operator(actor: User) -> None:
    if not actor.is_operator:
        raise Forbidden("Only operator staff work the worklist")


def read_of(item: WorkItem) -> WorkItemRead:
    return WorkItemRead.model_validate({**item.model_dump(), "id": str(item.id)})


async def open_item(
    *,
    kind: WorkKind,
    title: str,
    due: date,
    customer_id: str | None = None,
    account_id: str | None = None,
    response_id: str | None = None,
    key: str | None = None,
    session: AsyncClientSession | None = None,
) -> WorkItem:
    """For other domains: open an item in the caller's transaction (audited as the system's).

    An item with a `key` is opened once: asked again, the item opened first returns (two
    opening at the same moment: the second transaction fails with DuplicateKeyError)."""
    if key is not None and (found := await repository.by_key(key, session=session)):
        return found
    item = WorkItem(
        id=ObjectId(),
        kind=kind,
        title=title,
        due=due,
        customer_id=customer_id,
        account_id=account_id,
        response_id=response_id,
        key=key,
    )
    async with db.transaction(session) as s:
        await repository.insert(item, session=s)
        await _audit(None, "worklist.open", item, {"kind": kind.value, "title": title}, s)
    return item


async def list_items(
    *, actor: User, filters: WorkFilters, cursor: str | None, limit: int
) -> Page[WorkItemRead]:
    """Items by due day (soonest first), filtered; keyset pages."""
    _require_operator(actor)
    query = db.equal_to(filters, exclude={"due_before"})
    if filters.due_before is not None:
        query["due"] = {"$lt": datetime.combine(filters.due_before, datetime.min.time())}
    after = decode_keyset(cursor, 2)
    key = (date.fromisoformat(after[0]), ObjectId(after[1])) if after else None
    rows = await repository.page(query, after=key, limit=limit + 1)
    items = [read_of(i) for i in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(items=items, next_cursor=encode_keyset(last.due, last.id) if last else None)


async def get_item(*, actor: User, item_id: str) -> WorkItemRead:
    _require_operator(actor)
    return read_of(await _load(item_id))


async def _load(item_id: str, session: AsyncClientSession | None = None) -> WorkItem:
    item = await repository.get(item_id, session=session)
    if item is None:
        raise WorkItemNotFound(f"No worklist item {item_id}")
    return item


async def claim(*, actor: User, item_id: str) -> WorkItemRead:
    """Take an open item; claiming one's own again changes nothing."""
    _require_operator(actor)
    async with db.transaction() as session:
        item = await _load(item_id, session)
        _require_workable(actor, item)
        if item.assignee != actor.id:
            fields = {"status": WorkStatus.CLAIMED, "assignee": actor.id}
            await _write(item, fields, None, session)
            await _audit(actor, "worklist.claim", item, {"assignee": actor.id}, session)
    return read_of(item)


async def close(*, actor: User, item_id: str, note: str) -> WorkItemRead:
    """Mark the item done with a note of what was done."""
    _require_operator(actor)
    async with db.transaction() as session:
        item = await _load(item_id, session)
        _require_workable(actor, item)
        entry = WorkNote(by=actor.id, text=note)
        fields = {
            "status": WorkStatus.DONE,
            "assignee": item.assignee or actor.id,
            "closed_at": clock.now(),
        }
        await _write(item, fields, entry, session)
        item.notes.append(entry)
        await _audit(actor, "worklist.close", item, {"note": note}, session)
    return read_of(item)


def _require_workable(actor: User, item: WorkItem) -> None:
    if item.status is WorkStatus.DONE:
        raise WorkItemClosed(f"Worklist item {item.id} is done")
    if item.assignee not in (None, actor.id):
        raise WorkItemClaimed(f"Worklist item {item.id} is claimed by {item.assignee}")


async def _write(
    item: WorkItem, fields: dict[str, Any], note: WorkNote | None, session: AsyncClientSession
) -> None:
    if not await repository.update(item, fields, note, session=session):
        raise WorkItemChanged(f"Worklist item {item.id} changed; reload and retry")
    for name, value in fields.items():
        setattr(item, name, value)
    item.version += 1


async def _audit(
    actor: User | None,
    action: str,
    item: WorkItem,
    after: dict[str, Any],
    session: AsyncClientSession,
) -> None:
    await audit.record(
        actor=actor,
        action=action,
        entity_type="work_item",
        entity_id=str(item.id),
        after=after,
        session=session,
    )
