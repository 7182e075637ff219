"""Recording and reading the audit trail."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, Protocol

import structlog
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import repository
from backend.audit.models import AuditRecord
from backend.audit.schemas import AuditQuery, AuditRead
from backend.core import clock, db
from backend.core.errors import Forbidden
from backend.core.pagination import Page, object_id_cursor


class Actor(Protocol):
    """Who acted: a user, or a named system process."""

    @property
    def id(self) -> str: ...
    @property
    def role(self) -> Any: ...
    @property
    def drc_id(self) -> str | None: ...


def diff(before: dict[str, Any], after: dict[str, Any]) -> tuple[dict, dict]:
    """The fields that differ, as (before, after) summaries."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}


async def record(
    *,
    actor: Actor | None,
    action: str,
    entity_type: str,
    entity_id: str,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    drc_id: str | None = None,
    session: AsyncClientSession | None = None,
) -> None:
    """Append one audit record; pass the session to commit it with the change."""
    await repository.append(
        _record(actor, action, entity_type, entity_id, before=before, after=after, drc_id=drc_id),
        session=session,
    )


async def record_many(
    *,
    actor: Actor | None,
    action: str,
    entity_type: str,
    created: list[tuple[str, dict[str, Any], str | None]],
    session: AsyncClientSession,
) -> None:
    """One record per created entity, given as (entity id, summary, DRC), in one write."""
    # pydantic's own dump: Beanie's per-field encoder costs more than the write itself here
    base = _record(actor, action, entity_type, "").model_dump(
        mode="python", by_alias=True, exclude={"id", "revision_id"}
    )
    await repository.append_many(
        [
            {**base, "_id": ObjectId(), "entity_id": entity_id, "after": after, "drc_id": drc_id}
            for entity_id, after, drc_id in created
        ],
        session=session,
    )


def _record(
    actor: Actor | None, action: str, entity_type: str, entity_id: str, **fields: Any
) -> AuditRecord:
    role = getattr(actor, "role", None)
    return AuditRecord(
        at=clock.now(),
        actor_uid=actor.id if actor else None,
        actor_role=str(role) if role is not None else "system",
        action=action,
        entity_type=entity_type,
        entity_id=entity_id,
        request_id=structlog.contextvars.get_contextvars().get("request_id"),
        **fields,
    )


def _read(record: AuditRecord) -> AuditRead:
    return AuditRead(id=str(record.id), **record.model_dump(exclude={"id", "revision_id"}))


async def search(*, query: AuditQuery, cursor: str | None, limit: int) -> Page[AuditRead]:
    """Newest first, filtered by entity, actor and time range."""
    rows = await repository.search(query, after=object_id_cursor(cursor), limit=limit + 1)
    items = [_read(r) for r in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)


async def of_entities(
    *, actor: Actor, entities: Mapping[str, Sequence[str]], limit: int
) -> list[AuditRead]:
    """The newest records about these entities (say, a case and what hangs on it);
    operator staff only, as for `GET /audit`."""
    if getattr(actor.role, "is_operator", False) is not True:
        raise Forbidden("Only operator staff read the audit trail")
    return [_read(r) for r in await repository.of_entities(entities, limit=limit)]


Writer = Callable[..., Awaitable[None]]


async def update_audited(
    *,
    actor: Actor,
    target: Any,
    entity_type: str,
    changes: dict[str, Any],
    summary: Callable[[Any], dict[str, Any]],
    write: Writer,
    drc_id: str | None,
) -> None:
    """Apply `changes` to `target`, store them with `write(id, fields, session=)` and
    audit what actually changed, all in one transaction."""
    if not changes:
        return
    before = summary(target)
    for name, value in changes.items():
        setattr(target, name, value)
    target.updated_at = clock.now()
    old, new = diff(before, summary(target))
    async with db.transaction() as session:
        await write(target.id, {**changes, "updated_at": target.updated_at}, session=session)
        await record(
            actor=actor,
            action=f"{entity_type}.update",
            entity_type=entity_type,
            entity_id=target.id,
            before=old,
            after=new,
            drc_id=drc_id,
            session=session,
        )
