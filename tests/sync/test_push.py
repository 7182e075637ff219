"""Push, replay, gaps, policies and dependencies, on the made-up notes application."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from backend.core import db
from sync import changelog
from sync.engine import Engine
from sync.models import ChangeEntry, InboxItem, InboxKind, InboxStatus, MutationRecord
from sync.protocol import Mutation, Rule, Status, Winner
from tests.sync import toy
from tests.sync.toy import Note, Person

ANN = Person("ann", team="north")
BOB = Person("bob", team="south")


def mutation(number: int, name: str, args: dict[str, Any], **extra: Any) -> Mutation:
    return Mutation(
        client_id=extra.pop("client_id", "ann-phone-1"),
        mutation_id=number,
        name=name,
        args=args,
        device_time=datetime(2026, 5, 1, 9, number, tzinfo=UTC),
        app_version="1.0.0",
        schema_version=1,
        **extra,
    )


def line(number: int, text: str, note: str = "n1", **extra: Any) -> Mutation:
    return mutation(number, "note.add_line", {"note_id": note, "text": text}, **extra)


def retitle(number: int, title: str, base: int | None, **extra: Any) -> Mutation:
    args = {"note_id": "n1", "title": title}
    return mutation(number, "note.retitle", args, base_version=base, **extra)


@pytest.fixture
def engine() -> Engine:
    return Engine(toy.registry())


@pytest.fixture(autouse=True)
async def note() -> Note:
    return await Note(id="n1", owner=ANN.id, title="Groceries").insert()


async def stored() -> Note:
    found = await Note.get("n1")
    assert found is not None
    return found


async def test_a_batch_applies_in_order_and_a_replay_changes_nothing(engine: Engine):
    batch = [line(1, "milk"), line(2, "eggs")]
    first = await engine.push(ANN, batch)
    assert [r.status for r in first] == [Status.APPLIED, Status.APPLIED]
    assert [r.server_version for r in first] == [2, 3]
    assert [r.entity for r in first] == ["note:n1", "note:n1"]

    again = await engine.push(ANN, batch)
    assert again == first
    assert (await stored()).lines == ["milk", "eggs"]
    assert await MutationRecord.count() == 2


async def test_a_gap_waits_until_the_missing_mutation_arrives(engine: Engine):
    [early] = await engine.push(ANN, [line(2, "eggs")])
    assert (early.status, early.code) == (Status.RETRY, "sync.mutation_gap")
    assert (await stored()).lines == []

    results = await engine.push(ANN, [line(2, "eggs"), line(1, "milk")])
    assert [r.status for r in results] == [Status.APPLIED, Status.APPLIED]
    assert (await stored()).lines == ["milk", "eggs"]


async def test_appends_from_two_phones_never_conflict(engine: Engine):
    other = "ann-tablet-1"
    await engine.push(ANN, [line(1, "milk")])
    [late] = await engine.push(ANN, [line(1, "tea", client_id=other)])
    assert late.status is Status.APPLIED and late.resolutions == []
    assert (await stored()).lines == ["milk", "tea"]


async def test_a_field_changed_since_it_was_read_is_merged_and_kept(engine: Engine):
    await engine.push(ANN, [retitle(1, "Shopping", base=1)])
    [clash] = await engine.push(ANN, [retitle(1, "Errands", base=1, client_id="ann-tablet-1")])
    assert clash.status is Status.MERGED
    [resolution] = clash.resolutions
    assert (resolution.rule, resolution.winner) == (Rule.SERVER_WINS, Winner.SERVER)
    assert (resolution.client_value, resolution.server_value) == ("Errands", "Shopping")
    assert (await stored()).title == "Shopping"
    item = await InboxItem.get(clash.review_id)
    assert item is not None
    assert (item.kind, item.status) == (InboxKind.CONFLICT, InboxStatus.RESOLVED)
    assert (item.audience, item.reviewers) == (["person:ann"], ["team:north"])


async def test_a_field_merge_without_a_base_version_is_rejected(engine: Engine):
    [refused] = await engine.push(ANN, [retitle(1, "Shopping", base=None)])
    assert (refused.status, refused.code) == (Status.REJECTED, "sync.base_version_required")


async def test_refusals_are_kept_for_review_and_the_queue_goes_on(engine: Engine):
    results = await engine.push(
        ANN,
        [
            mutation(1, "note.shred", {"note_id": "n1"}),
            line(2, "milk", note="gone"),
            mutation(3, "note.add_line", {"note_id": "n1", "text": ""}),
            line(4, "eggs"),
        ],
    )
    assert [(r.status, r.code) for r in results] == [
        (Status.REJECTED, "sync.unknown_mutation"),
        (Status.REJECTED, "toy.note_not_found"),
        (Status.REJECTED, "request.invalid"),
        (Status.APPLIED, None),
    ]
    kept = await InboxItem.find({"status": InboxStatus.OPEN.value}).to_list()
    assert sorted(item.mutation_id for item in kept) == [1, 2, 3]


async def test_another_holder_quarantines_and_holds_back_what_depends_on_it(engine: Engine):
    await Note(id="n2", owner=BOB.id).insert()
    results = await engine.push(
        ANN, [line(1, "mine?", note="n2"), line(2, "then this", note="n1", depends_on=[1])]
    )
    assert [(r.status, r.code) for r in results] == [
        (Status.QUARANTINED, "sync.not_holder"),
        (Status.QUARANTINED, "sync.dependency_not_applied"),
    ]
    assert results[0].entity == "note:n2"
    assert (await stored()).lines == []


async def test_every_outcome_reaches_the_sender_s_audience(engine: Engine):
    await engine.push(ANN, [line(1, "milk"), line(2, "eggs", note="gone")])
    await changelog.sequence_all()
    logged = await changelog.read(since=0, audience="person:ann", limit=10)
    assert [(e.entity, e.entity_id) for e in logged] == [
        ("note", "n1"),
        ("mutation", "ann-phone-1:1"),
        ("mutation", "ann-phone-1:2"),
    ]
    assert await changelog.read(since=0, audience="person:bob", limit=10) == []


async def test_an_effect_and_its_ledger_commit_together(engine: Engine, monkeypatch):
    """A mutation whose transaction fails leaves neither its effect nor its ledger entry."""

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(changelog, "append", broken)
    with pytest.raises(RuntimeError):
        await engine.push(ANN, [line(1, "milk")])
    monkeypatch.undo()
    assert (await stored()).lines == []
    assert await MutationRecord.count() == 0 and await ChangeEntry.count() == 0
    [result] = await engine.push(ANN, [line(1, "milk")])
    assert result.status is Status.APPLIED


async def test_a_handed_over_note_leaves_its_old_owner(engine: Engine):
    async with db.transaction() as session:
        await toy.save(await stored(), {"owner": BOB.id}, session)
    [moved] = await engine.push(ANN, [line(1, "milk")])
    assert moved.status is Status.QUARANTINED
