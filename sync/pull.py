"""`GET /sync/pull`: what changed for the caller since their cursor.

Cursors, all opaque to the app:
- none: start an initial sync. The caller's current entities come page by page
  ("s.<head>.<entity>.<last id>"), then the log takes over from the head the snapshot
  began at ("c.<head>"), so whatever changed during the paging arrives after it.
- "c.<n>": the log after entry n. An entity the caller holds comes as `upsert` with
  its current state; one that left the caller's scope comes as `remove`.
- a cursor older than retained history: `reset: true`; sync again without a cursor.

Within a page, an entity appears once, with its newest state.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from backend.core.pagination import InvalidCursor
from sync import changelog
from sync.inbox import outcome_of
from sync.models import ChangeEntry, MutationRecord
from sync.protocol import Change, PullPage
from sync.registry import EntitySpec, Registry, S, Sender, State


@dataclass(frozen=True)
class Position:
    head: int
    entity: int = 0  # index among the registry's snapshot entities
    after: str | None = None
    in_log: bool = False

    def encode(self) -> str:
        if self.in_log:
            return f"c.{self.head}"
        return f"s.{self.head}.{self.entity}.{self.after or '-'}"


_LOG = re.compile(r"^c\.(\d{1,18})$")
_SNAPSHOT = re.compile(r"^s\.(\d{1,18})\.(\d{1,3})\.([A-Za-z0-9_:-]{1,64})$")


def _parse(cursor: str) -> Position:
    if found := _LOG.match(cursor):
        return Position(head=int(found[1]), in_log=True)
    if found := _SNAPSHOT.match(cursor):
        after = None if found[3] == "-" else found[3]
        return Position(head=int(found[1]), entity=int(found[2]), after=after)
    raise InvalidCursor(f"Cursor {cursor} was not issued by this server")


async def pull(
    registry: Registry[S], caller: S, audience: str | None, since: str | None, limit: int
) -> PullPage:
    await changelog.sequence_pending()
    floor, head = await changelog.bounds()
    position = Position(head=head) if since is None else _parse(since)
    if position.head > head or position.entity > len(_snapshots(registry)):
        raise InvalidCursor(f"Cursor {since} was not issued by this server")
    if position.head < floor:
        return PullPage(changes=[], next=None, has_more=False, reset=True)
    if position.in_log:
        return await _from_log(registry, caller, audience, position.head, limit)
    return await _from_snapshot(registry, caller, position, limit)


def _snapshots(registry: Registry[S]) -> list[EntitySpec[S]]:
    return [spec for spec in registry.entities.values() if spec.snapshot is not None]


async def _from_snapshot(
    registry: Registry[S], caller: S, position: Position, limit: int
) -> PullPage:
    specs = _snapshots(registry)
    if position.entity == len(specs):
        done = Position(head=position.head, in_log=True)
        return PullPage(changes=[], next=done.encode(), has_more=True)
    spec = specs[position.entity]
    assert spec.snapshot is not None
    rows = await spec.snapshot(caller, position.after, limit)
    if len(rows) < limit:
        following = Position(head=position.head, entity=position.entity + 1)
    else:
        following = Position(head=position.head, entity=position.entity, after=rows[-1][0])
    cursor = following.encode()
    changes = [
        Change(cursor=cursor, entity=spec.name, id=id_, op="upsert", version=version, data=data)
        for id_, version, data in rows
    ]
    return PullPage(changes=changes, next=cursor, has_more=True)


async def _from_log(
    registry: Registry[S], caller: S, audience: str | None, since: int, limit: int
) -> PullPage:
    entries = await changelog.read(since=since, audience=audience, limit=limit + 1)
    has_more = len(entries) > limit
    entries = entries[:limit]
    newest: dict[tuple[str, str], ChangeEntry] = {}
    for entry in entries:
        newest.pop((entry.entity, entry.entity_id), None)
        newest[(entry.entity, entry.entity_id)] = entry
    states = await _load(registry, caller, audience, newest.values())
    changes = []
    for (entity, id_), entry in newest.items():
        cursor = f"c.{entry.id}"
        if audience is not None and audience not in entry.holders:
            changes.append(Change(cursor=cursor, entity=entity, id=id_, op="remove"))
        elif (entity, id_) in states:
            version, data = states[(entity, id_)]
            change = Change(
                cursor=cursor, entity=entity, id=id_, op="upsert", version=version, data=data
            )
            changes.append(change)
        # else: gone from the caller's scope since; a later entry says so
    next_cursor = f"c.{entries[-1].id}" if entries else f"c.{since}"
    return PullPage(changes=changes, next=next_cursor, has_more=has_more)


async def _load(
    registry: Registry[S], caller: S, audience: str | None, entries: Iterable[ChangeEntry]
) -> dict[tuple[str, str], State]:
    wanted: dict[str, list[str]] = {}
    for entry in entries:
        if audience is None or audience in entry.holders:
            wanted.setdefault(entry.entity, []).append(entry.entity_id)
    states: dict[tuple[str, str], State] = {}
    for entity, ids in wanted.items():
        if entity == "mutation":
            loaded = await _outcomes(caller, ids)
        elif entity in registry.entities:
            loaded = await registry.entities[entity].load(caller, ids)
        else:
            continue
        states.update({(entity, id_): state for id_, state in loaded.items()})
    return states


async def _outcomes(caller: Sender, ids: list[str]) -> dict[str, State]:
    """The caller's own mutation outcomes (after a reviewer's decision)."""
    records = await MutationRecord.find({"_id": {"$in": ids}, "uid": caller.id}).to_list()
    return {record.id: (None, outcome_of(record)) for record in records}
