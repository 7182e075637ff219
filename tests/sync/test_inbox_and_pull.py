"""The review inbox and pull, on the made-up notes application."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.core import db
from backend.core.pagination import InvalidCursor
from sync import changelog, inbox
from sync.engine import Engine
from sync.errors import ReviewClosed, ReviewNotFound
from sync.models import ChangeEntry, InboxStatus, MutationRecord, Review
from sync.pull import pull
from sync.registry import Registry
from tests.sync import toy
from tests.sync.test_push import ANN, BOB, line, stored
from tests.sync.toy import Note


@pytest.fixture
def registry() -> Registry:
    return toy.registry()


@pytest.fixture(autouse=True)
async def note() -> Note:
    return await Note(id="n1", owner=ANN.id, title="Groceries").insert()


async def kept_item(registry: Registry) -> str:
    """A quarantined mutation of Ann's, on Bob's note."""
    await Note(id="n2", owner=BOB.id).insert()
    [result] = await Engine(registry).push(ANN, [line(1, "mine?", note="n2")])
    assert result.review_id is not None
    return result.review_id


async def test_reviewers_see_the_items_of_their_audience_only(registry: Registry):
    item_id = await kept_item(registry)
    north = await inbox.page(
        reviewer="team:north",
        statuses=[InboxStatus.OPEN],
        kind=None,
        uid=None,
        before=None,
        limit=10,
    )
    assert [str(item.id) for item in north] == [item_id]
    everyone = await inbox.page(
        reviewer=None, statuses=[InboxStatus.OPEN], kind=None, uid=None, before=None, limit=10
    )
    assert len(everyone) == 1
    south = await inbox.page(
        reviewer="team:south",
        statuses=[InboxStatus.OPEN],
        kind=None,
        uid=None,
        before=None,
        limit=10,
    )
    assert south == []
    assert (await inbox.get(item_id, reviewer="team:north")).uid == ANN.id
    with pytest.raises(ReviewNotFound):
        await inbox.get(item_id, reviewer="team:south")
    with pytest.raises(ReviewNotFound):
        await inbox.get("not-an-id", reviewer=None)


async def test_a_decision_is_kept_once_and_told_to_the_sender(registry: Registry):
    item = await inbox.get(await kept_item(registry), reviewer=None)
    await changelog.sequence_all()
    _, head = await changelog.bounds()
    async with db.transaction() as session:
        decided = await inbox.decide(
            item, Review(status=InboxStatus.DISMISSED, by="lead", note="not hers"), session=session
        )
    assert decided.status is InboxStatus.DISMISSED
    record = await MutationRecord.get("ann-phone-1:1")
    assert record is not None and record.review is not None
    assert record.review.note == "not hers"
    with pytest.raises(ReviewClosed):
        inbox.require_open(decided)
    async with db.transaction() as session:
        with pytest.raises(ReviewClosed):
            await inbox.decide(item, Review(status=InboxStatus.REAPPLIED, by="x"), session=session)
    await changelog.sequence_all()
    told = await changelog.read(since=head, audience="person:ann", limit=10)
    assert [(e.entity, e.action) for e in told] == [("mutation", "review.dismissed")]


async def test_an_initial_sync_pages_then_the_log_takes_over(registry: Registry):
    for n in range(2, 6):
        await Note(id=f"n{n}", owner=ANN.id).insert()
    await Note(id="n9", owner=BOB.id).insert()
    first = await pull(registry, ANN, "person:ann", None, 3)
    assert [c.id for c in first.changes] == ["n1", "n2", "n3"]
    pages, since = [first], first.next
    while pages[-1].has_more:
        pages.append(await pull(registry, ANN, "person:ann", since, 3))
        since = pages[-1].next
    seen = [c.id for page in pages for c in page.changes]
    assert seen == ["n1", "n2", "n3", "n4", "n5"]

    [applied] = await Engine(registry).push(ANN, [line(1, "milk")])
    later = await pull(registry, ANN, "person:ann", since, 10)
    kinds = [(c.entity, c.id, c.op) for c in later.changes]
    assert kinds == [("note", "n1", "upsert"), ("mutation", "ann-phone-1:1", "upsert")]
    assert later.changes[0].version == applied.server_version
    assert later.changes[0].data == {"title": "Groceries", "lines": ["milk"]}
    assert later.changes[1].data is not None
    assert later.changes[1].data["result"]["status"] == "applied"


async def test_a_note_that_left_the_reader_comes_as_a_removal(registry: Registry):
    start = await pull(registry, ANN, "person:ann", None, 10)
    while start.has_more:
        assert start.next is not None
        start = await pull(registry, ANN, "person:ann", start.next, 10)
    async with db.transaction() as session:
        await toy.save(await stored(), {"owner": BOB.id}, session)
    page = await pull(registry, ANN, "person:ann", start.next, 10)
    assert [(c.id, c.op, c.data) for c in page.changes] == [("n1", "remove", None)]
    bob = await pull(registry, BOB, "person:bob", start.next, 10)
    assert [(c.id, c.op) for c in bob.changes] == [("n1", "upsert")]


async def test_a_cursor_older_than_the_history_kept_resets(registry: Registry):
    await Engine(registry).push(ANN, [line(1, "milk")])
    await changelog.sequence_all()
    await ChangeEntry.get_pymongo_collection().update_many(
        {}, {"$set": {"sequenced_at": db.as_stored(datetime.now(UTC) - timedelta(days=40))}}
    )
    assert await changelog.prune(older_than=timedelta(days=30)) == 2
    page = await pull(registry, ANN, "person:ann", "c.0", 10)
    assert page.reset and page.changes == [] and page.next is None
    with pytest.raises(InvalidCursor):
        await pull(registry, ANN, "person:ann", "c.x", 10)
