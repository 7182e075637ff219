"""The change log under writes that commit out of order, its retention, and initial sync.

A change gets its cursor when it is sequenced after its transaction committed, not when
it was written, so a transaction that began early and commits late still lands above
every cursor a reader was handed: no pull can step over it.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from backend.cases import service as cases
from backend.core import db
from backend.users.models import Role
from sync import changelog
from sync.models import ChangeEntry
from sync.pull import pull
from sync.registry import Audiences, Registry
from tests.backend.syncing.helpers import pull_all
from tests.factories import bearer, make_case, make_user


def _n(cursor: str) -> int:
    """The log position of a "c.<n>" cursor."""
    kind, position = cursor.split(".")
    assert kind == "c", cursor
    return int(position)


async def _page(client, key, user, since: str | None, limit: int = 50) -> dict[str, Any]:
    params = {"limit": limit} | ({"since": since} if since else {})
    response = await client.get("/sync/pull", params=params, headers=bearer(key, user))
    assert response.status_code == 200, response.text
    return response.json()


def _follow_up(days: int) -> datetime:
    return (datetime.now(UTC) + timedelta(days=days)).replace(microsecond=0)


# --------------------------------------------------------------------------- interleaved


async def test_a_change_committed_after_a_later_one_is_still_pulled(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    early = await make_case("assigned", ro=officer)
    late = await make_case("assigned", ro=officer)
    _, cursor = await pull_all(client, signing_key, officer)

    # T1 begins first and writes the early case through the cases service ...
    async with db.bound_client().start_session() as t1:
        await t1.start_transaction()
        first = await cases.update(
            actor=officer,
            case=early,
            action="test.t1",
            changes={"next_follow_up": _follow_up(3)},
            session=t1,
        )
        # ... T2 writes the other case and commits while T1 is still open ...
        async with db.transaction() as t2:
            second = await cases.update(
                actor=officer,
                case=late,
                action="test.t2",
                changes={"next_follow_up": _follow_up(5)},
                session=t2,
            )
        # ... a pull sees T2's change, and nothing of T1's yet.
        page = await _page(client, signing_key, officer, cursor)
        assert [(c["id"], c["op"], c["version"]) for c in page["changes"]] == [
            (str(late.id), "upsert", second.version)
        ]
        assert not page["has_more"] and _n(page["next"]) > _n(cursor)
        seen = page["next"]
        await t1.commit_transaction()

    # T1 committed last: the next pull, from the cursor the last one returned, has it.
    page = await _page(client, signing_key, officer, seen)
    assert [(c["id"], c["op"], c["version"]) for c in page["changes"]] == [
        (str(early.id), "upsert", first.version)
    ]
    [change] = page["changes"]
    assert datetime.fromisoformat(change["data"]["next_follow_up"]) == first.next_follow_up
    assert _n(change["cursor"]) > _n(seen) and page["next"] == change["cursor"]
    again = await _page(client, signing_key, officer, page["next"])
    assert again["changes"] == [] and again["next"] == page["next"]
    # Written first, placed second: the log follows the commits.
    t1_entry = await ChangeEntry.find_one({"action": "test.t1", "entity_id": str(early.id)})
    t2_entry = await ChangeEntry.find_one({"action": "test.t2", "entity_id": str(late.id)})
    assert t1_entry.at < t2_entry.at and t1_entry.id > t2_entry.id


async def test_an_aborted_transaction_leaves_nothing_in_the_log(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    _, cursor = await pull_all(client, signing_key, officer)
    async with db.bound_client().start_session() as session:
        await session.start_transaction()
        await cases.update(
            actor=officer,
            case=case,
            action="test.aborted",
            changes={"next_follow_up": _follow_up(2)},
            session=session,
        )
        await session.abort_transaction()
    page = await _page(client, signing_key, officer, cursor)
    assert page["changes"] == [] and page["next"] == cursor


# --------------------------------------------------------------------------- randomized


class Aborted(Exception):
    pass


@dataclass
class Writers:
    """What the concurrent writers did: the order they wrote in and which committed."""

    written: list[str] = field(default_factory=list)
    committed: set[str] = field(default_factory=set)
    aborted: set[str] = field(default_factory=set)
    conflicted: set[str] = field(default_factory=set)


@dataclass
class Puller:
    token: str
    since: str | None = None
    seen: list[tuple[int, str]] = field(default_factory=list)  # (cursor, entity id)
    nexts: list[int] = field(default_factory=list)
    pages: int = 0


def _probe_registry() -> Registry:
    """A registry with one entity every caller may see: the log's own behaviour, bare."""

    async def load(_caller: Any, ids: list[str]) -> dict[str, tuple[int | None, dict]]:
        return {id_: (None, {"id": id_}) for id_ in ids}

    registry: Registry[Any] = Registry(Audiences(own=lambda _: [], reviewers=lambda _: []))
    registry.entity("probe", load=load)
    return registry


async def _writer(n: int, rng: random.Random, audience: list[str], log: Writers) -> None:
    name = f"w{n:03d}"
    await asyncio.sleep(rng.uniform(0, 2.0))  # spread over the pulls
    try:
        async with db.transaction() as session:
            await asyncio.sleep(rng.uniform(0, 0.03))
            log.written.append(name)
            await changelog.append(
                entity="probe",
                entity_id=name,
                action="probe.write",
                before=[],
                after=audience,
                session=session,
            )
            await asyncio.sleep(rng.uniform(0, 0.3))  # others write and commit meanwhile
            if rng.random() < 0.15:
                raise Aborted()
    except Aborted:
        log.aborted.add(name)
        return
    except db.WriteConflict:  # the server refused the transaction: it never committed
        log.conflicted.add(name)
        return
    log.committed.add(name)


async def _pull_once(registry: Registry, puller: Puller, limit: int) -> bool:
    page = await pull(registry, None, puller.token, puller.since, limit)
    assert not page.reset
    puller.pages += 1
    puller.seen += [(_n(c.cursor), c.id) for c in page.changes]
    assert page.next is not None
    if page.next.startswith("c."):
        puller.nexts.append(_n(page.next))
    puller.since = page.next
    return page.has_more


async def _pull_while(
    registry: Registry, puller: Puller, rng: random.Random, writing: asyncio.Event
) -> None:
    while writing.is_set():
        if not await _pull_once(registry, puller, rng.randint(1, 9)):
            await asyncio.sleep(rng.uniform(0, 0.01))


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_concurrent_writers_and_pullers_miss_nothing(app, seed):
    rng = random.Random(seed)
    registry = _probe_registry()
    pullers = [Puller("ro:probe-a"), Puller("drc:probe")]
    log = Writers()
    writing = asyncio.Event()
    writing.set()
    # Two pullers, so two sequencers race as well.
    pulling = [
        asyncio.create_task(_pull_while(registry, p, random.Random(seed * 10 + i), writing))
        for i, p in enumerate(pullers)
    ]
    await asyncio.gather(*(_writer(n, rng, ["ro:probe-a", "drc:probe"], log) for n in range(120)))
    writing.clear()
    await asyncio.gather(*pulling)
    await changelog.sequence_all()
    for puller in pullers:
        while await _pull_once(registry, puller, 50):
            pass

    assert log.aborted and len(log.committed) + len(log.aborted) + len(log.conflicted) == 120
    for puller in pullers:
        cursors = [cursor for cursor, _ in puller.seen]
        ids = [id_ for _, id_ in puller.seen]
        assert sorted(ids) == sorted(log.committed), puller.token  # each exactly once
        assert all(a < b for a, b in itertools.pairwise(cursors)), puller.token
        assert all(a <= b for a, b in itertools.pairwise(puller.nexts))
        assert puller.pages > 10  # the pulls ran while the writers did
    # The log's order is the commit order, not the order the changes were written in.
    written = [name for name in log.written if name in log.committed]
    assert [id_ for _, id_ in pullers[0].seen] != written


# --------------------------------------------------------------------------- retention


async def test_a_cursor_older_than_the_retained_history_gets_a_reset(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    old = await make_case("assigned", ro=officer)
    _, before = await pull_all(client, signing_key, officer)
    await make_case("assigned", ro=officer)
    _, middle = await pull_all(client, signing_key, officer, before)
    # Everything up to `middle` has aged past retention; what followed has not.
    await ChangeEntry.get_pymongo_collection().update_many(
        {"_id": {"$lte": _n(middle)}},
        {"$set": {"sequenced_at": datetime.now(UTC) - timedelta(days=40)}},
    )
    async with db.transaction() as session:
        await cases.update(
            actor=officer,
            case=old,
            action="test.after",
            changes={"next_follow_up": _follow_up(4)},
            session=session,
        )
    await changelog.sequence_all()
    assert await changelog.prune(older_than=timedelta(days=30)) > 0
    assert await changelog.prune(older_than=timedelta(days=30)) == 0
    floor, head = await changelog.bounds()
    assert floor == _n(middle) < head

    stale = await _page(client, signing_key, officer, before)
    assert stale == {"changes": [], "next": None, "has_more": False, "reset": True}
    # A reader exactly at the floor lost nothing: it goes on.
    current = await _page(client, signing_key, officer, middle)
    assert not current["reset"] and [c["id"] for c in current["changes"]] == [str(old.id)]
    # After a reset the app syncs again from scratch and reaches the head.
    fresh, cursor = await pull_all(client, signing_key, officer)
    assert len({c["id"] for c in fresh}) == 2 and _n(cursor) == head


# --------------------------------------------------------------------------- initial sync


async def test_the_initial_sync_is_paged_and_resumes_from_any_page(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    held = [await make_case("assigned", ro=officer) for _ in range(7)]
    await make_case("assigned")  # someone else's
    pages = []
    since = None
    while True:
        page = await _page(client, signing_key, officer, since, limit=3)
        pages.append(page)
        if len(pages) == 1:
            # A case already delivered changes while the paging goes on ...
            async with db.transaction() as session:
                touched = await cases.update(
                    actor=officer,
                    case=held[0],
                    action="test.during",
                    changes={"next_follow_up": _follow_up(6)},
                    session=session,
                )
        since = page["next"]
        if not page["has_more"]:
            break
    snapshot = [c for p in pages for c in p["changes"] if c["cursor"].startswith("s.")]
    tail = [c for p in pages for c in p["changes"] if c["cursor"].startswith("c.")]
    assert [len(p["changes"]) for p in pages[:3]] == [3, 3, 1]
    assert [c["id"] for c in snapshot] == sorted(str(c.id) for c in held)
    # ... and arrives after the snapshot, from the log it began at.
    assert [(c["id"], c["version"]) for c in tail] == [(str(held[0].id), touched.version)]

    # Resuming from the cursor of the first page gives exactly the rest.
    since, rest = pages[0]["next"], []
    while True:
        page = await _page(client, signing_key, officer, since, limit=3)
        rest.append(page)
        since = page["next"]
        if not page["has_more"]:
            break
    assert rest == pages[1:]


@pytest.mark.parametrize("audience", [None, "ro:u1"])
async def test_reading_after_a_cursor_walks_an_index_not_the_log(audience):
    await ChangeEntry.get_pymongo_collection().insert_many(
        [_logged(n, audience=["ro:u1"]) for n in range(1, 201)]
    )
    plan = (await changelog.after(190, audience=audience, limit=500).explain())["queryPlanner"]
    stages = _stages(plan["winningPlan"])
    assert "IXSCAN" in stages and "COLLSCAN" not in stages, plan
    read = await changelog.read(since=190, audience=audience, limit=5)
    assert [entry.id for entry in read] == list(range(191, 196))


def _logged(n: int, *, audience: list[str]) -> dict[str, Any]:
    entry = changelog.entry(
        entity="case", entity_id=f"c{n}", action="test", before=[], after=audience
    )
    return {**entry, "_id": n, "sequenced_at": entry["at"]}


def _stages(plan: dict[str, Any]) -> list[str]:
    inner = plan.get("inputStage")
    return [plan["stage"], *(_stages(inner) if inner else [])]
