"""The Firestore mirror against the real emulator: documents follow MongoDB, in order."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import AsyncIterator

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud.firestore import AsyncClient

from backend.allocation import assignment
from backend.allocation.schemas import AssignmentCreate
from backend.cases import service as cases
from backend.core import db
from backend.customers.models import Customer
from backend.devstack import components as c
from backend.syncing import mirror
from backend.users.models import Role
from sync import changelog, protobufs
from sync.mirror import Write, Writer
from sync.models import DeadLetter, MirrorState, QueuedChange
from tests.backend.syncing.helpers import Device, push_ok
from tests.conftest import PROJECT_ID
from tests.factories import make_case, make_user


async def drain(follower) -> int:
    total = 0
    while done := await follower.step():
        total += done
    return total


@pytest.fixture
def firestore(app) -> AsyncClient:
    return app.state.resources.firestore


async def _doc(firestore: AsyncClient, path: str) -> dict | None:
    snap = await firestore.document(path).get()
    return snap.to_dict() if snap.exists else None


async def test_a_pushed_mutation_reaches_the_officers_document(client, signing_key, firestore):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    follower = mirror.mirror(firestore)
    await drain(follower)
    path = mirror.case_path(officer.id, str(case.id))
    assert (await _doc(firestore, path))["phase"] == "assigned"
    phone = Device(officer)
    [result] = await push_ok(client, signing_key, officer, [phone.negotiation(str(case.id))])
    await drain(follower)
    document = await _doc(firestore, path)
    assert document["phase"] == "negotiation"
    assert document["version"] == result["server_version"]
    assert document["negotiations"]["count"] == 1
    outcome = await _doc(firestore, f"ro/{officer.id}/outcomes/{phone.client_id}:1")
    assert outcome["status"] == "applied"
    summary = await _doc(firestore, mirror.officer_summary_path(officer.id))
    assert summary["counts"]["negotiation"] == 1
    drc = await _doc(firestore, mirror.drc_summary_path(officer.drc_id))
    assert drc["counts"]["negotiation"] == 1
    staff = await _doc(firestore, f"staff/{officer.id}")
    assert staff == {**staff, "role": "recovery_officer", "drc_id": officer.drc_id, "active": True}


async def test_a_reassigned_case_moves_between_officers_trees(firestore):
    officer = await make_user(Role.RECOVERY_OFFICER)
    other = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    case = await make_case("negotiation", ro=officer)
    follower = mirror.mirror(firestore)
    await drain(follower)
    await assignment.assign(actor=supervisor, case=case, data=AssignmentCreate(ro_id=other.id))
    await drain(follower)
    assert await _doc(firestore, mirror.case_path(officer.id, str(case.id))) is None
    moved = await _doc(firestore, mirror.case_path(other.id, str(case.id)))
    assert moved["ro_id"] == other.id
    old = await _doc(firestore, mirror.officer_summary_path(officer.id))
    assert old["open"] == 0
    # And back: the first officer gets it again at a higher version.
    await assignment.assign(actor=supervisor, case=case, data=AssignmentCreate(ro_id=officer.id))
    await drain(follower)
    assert (await _doc(firestore, mirror.case_path(officer.id, str(case.id))))[
        "ro_id"
    ] == officer.id
    assert await _doc(firestore, mirror.case_path(other.id, str(case.id))) is None


async def test_an_older_version_never_replaces_a_newer_one(firestore):
    writer = Writer(firestore)
    path = "ro/u-order/cases/c1"
    await writer.apply([Write(path, {"version": 5, "phase": "settlement"}, 5)])
    late = await writer.apply([Write(path, {"version": 4, "phase": "negotiation"}, 4)])
    assert late.skipped == 1 and (await _doc(firestore, path))["phase"] == "settlement"
    await writer.apply([Write(path, None, 4)])  # a removal from before it came back
    assert (await _doc(firestore, path))["version"] == 5
    # Delivered in any order, a batch ends at the newest of each document.
    batch = [Write(path, {"version": v, "phase": f"p{v}"}, v) for v in (7, 6, 8)]
    for write in batch:
        await writer.apply([write])
    assert (await _doc(firestore, path))["phase"] == "p8"
    await writer.apply([Write(path, None, 8)])
    assert await _doc(firestore, path) is None


async def test_a_writer_reads_only_what_it_did_not_write_itself(firestore, monkeypatch):
    read: list[list[str]] = []
    versions = protobufs.versions

    async def counted(client, names, *, seconds):
        read.append([name.rsplit("/", 1)[1] for name in names])
        return await versions(client, names, seconds=seconds)

    monkeypatch.setattr(protobufs, "versions", counted)
    writer, other = Writer(firestore), Writer(firestore)
    path = "ro/u-known/cases/{}".format
    await writer.apply([Write(path(n), {"version": 2}, 2) for n in ("a", "b")])
    await writer.apply([Write(path("a"), {"version": 3}, 3), Write(path("c"), None, 1)])
    assert read == [["a", "b"], ["c"]]  # "a" was left by the writer itself
    # Someone else writes "a" and "b": the remembered state fails the precondition,
    # the writer reads again and still never goes back a version.
    await other.apply([Write(path("a"), {"version": 9}, 9), Write(path("b"), {"version": 1}, 1)])
    read.clear()
    tally = await writer.apply([Write(path("a"), {"version": 4}, 4)])
    assert (tally.skipped, read) == (1, [["a"]]) and (await _doc(firestore, path("a"))) == {
        "version": 9
    }
    tally = await writer.apply([Write(path("b"), {"version": 5}, 5)])
    assert tally.written == 1 and (await _doc(firestore, path("b"))) == {"version": 5}
    # A document it deleted is known to be absent, and is created again without a read.
    await writer.apply([Write(path("b"), None, 6)])
    read.clear()
    await writer.apply([Write(path("b"), {"version": 7}, 7)])
    assert read == [] and (await _doc(firestore, path("b"))) == {"version": 7}


async def test_changes_sequenced_by_another_reader_are_mirrored_too(firestore):
    officer = await make_user(Role.RECOVERY_OFFICER)
    first = [await make_case("negotiation", ro=officer) for _ in range(2)]
    follower = mirror.mirror(firestore)
    await drain(follower)
    # a pull sequences these; the mirror's own sequencer then finds only the later ones
    taken = [await make_case("negotiation", ro=officer) for _ in range(2)]
    assert await changelog.sequence_pending() > 0
    later = [await make_case("negotiation", ro=officer) for _ in range(2)]
    await drain(follower)
    stored = {snap.id async for snap in firestore.collection(f"ro/{officer.id}/cases").stream()}
    assert stored == {str(case.id) for case in first + taken + later}
    state = await MirrorState.get("firestore")
    _, head = await changelog.bounds()
    assert state is not None and (state.cursor, state.backlog) == (head, 0)


async def test_the_next_page_is_planned_ahead_only_behind_the_log(firestore):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    follower = mirror.mirror(firestore, page=2)
    await drain(follower)
    for n in range(5):  # five changes: pages of 2, 2 and 1
        await _change_region(case, f"Region {n}")
    events: list[str] = []
    plan_after, apply = follower._plan_after, follower.writer.apply

    async def planning(cursor: int):
        events.append("plan")
        entries, writes = await plan_after(cursor)
        events.append(f"planned {len(entries)}")
        return entries, writes

    async def writing(writes):
        tally = await apply(writes)
        events.append("written")
        return tally

    follower._plan_after, follower.writer.apply = planning, writing
    await follower.run(seconds=1.5, idle=0.05)
    planned = [e for e in events if e.startswith("planned")]
    assert planned[:3] == ["planned 2", "planned 2", "planned 1"]
    plans = [i for i, e in enumerate(events) if e == "plan"]
    written = [i for i, e in enumerate(events) if e == "written"]
    # a full page is written while the next is planned; the last, short one is written
    # before the next page is planned, so that page takes in what came meanwhile
    assert plans[1] < written[0] and plans[2] < written[1]
    assert written[2] < plans[3]
    stored = await _doc(firestore, mirror.case_path(officer.id, str(case.id)))
    assert stored["region"] == "Region 4"


async def _change_region(case, region: str) -> None:
    async with db.transaction() as session:
        fresh = await cases.get_unscoped(str(case.id), session=session)
        await cases.update(
            actor=None, case=fresh, action="test.edit", changes={"region": region}, session=session
        )


async def test_mirroring_the_whole_log_again_changes_nothing(firestore):
    officer = await make_user(Role.RECOVERY_OFFICER)
    cases_ = [await make_case("negotiation", ro=officer) for _ in range(3)]
    follower = mirror.mirror(firestore)
    await drain(follower)
    before = {
        snap.id: snap.to_dict()
        async for snap in firestore.collection(f"ro/{officer.id}/cases").stream()
    }
    await MirrorState.get_pymongo_collection().update_one(
        {"_id": "firestore"}, {"$set": {"cursor": 0}}
    )
    await drain(follower)
    after = {
        snap.id: snap.to_dict()
        async for snap in firestore.collection(f"ro/{officer.id}/cases").stream()
    }
    assert sorted(after) == sorted(str(c.id) for c in cases_)
    assert {k: v["version"] for k, v in after.items()} == {
        k: v["version"] for k, v in before.items()
    }


async def test_verify_finds_and_repairs_drift(firestore):
    officer = await make_user(Role.RECOVERY_OFFICER)
    kept, lost, changed = [await make_case("negotiation", ro=officer) for _ in range(3)]
    follower = mirror.mirror(firestore)
    await drain(follower)
    assert (await mirror.verify(firestore, officer.id)).clean
    await firestore.document(mirror.case_path(officer.id, str(lost.id))).delete()
    await firestore.document(mirror.case_path(officer.id, str(changed.id))).update(
        {"outstanding": {"amount": 1, "currency": "LKR"}}
    )
    await firestore.document(mirror.case_path(officer.id, "0" * 24)).set({"version": 1})
    await firestore.document(mirror.officer_summary_path(officer.id)).update({"open": 99})
    drift = await mirror.verify(firestore, officer.id)
    assert drift.report() == {
        "uid": officer.id,
        "missing": [str(lost.id)],
        "extra": ["0" * 24],
        "stale": [str(changed.id)],
        "summary_stale": True,
    }
    await mirror.verify(firestore, officer.id, repair=True)
    assert (await mirror.verify(firestore, officer.id)).clean
    assert [d.uid for d in await mirror.verify_all(firestore)] == []
    assert (await _doc(firestore, mirror.case_path(officer.id, str(kept.id))))[
        "ro_id"
    ] == officer.id


async def test_a_write_firestore_refuses_goes_to_the_dead_letters(firestore):
    writer = Writer(firestore)
    good, bad = "ro/u-dead/cases/ok", "ro/u-dead/cases/bad"
    tally = await writer.apply(
        [
            Write(good, {"version": 1}, 1),
            Write(bad, {"version": 1, "blob": "x" * 1_100_000}, 1),  # over the 1 MiB limit
        ]
    )
    assert (tally.written, tally.dead) == (1, 1)
    assert await _doc(firestore, good) == {"version": 1}
    [letter] = await DeadLetter.find_all().to_list()
    assert letter.path == bad and letter.error and letter.data["version"] == 1
    stored = await DeadLetter.get_pymongo_collection().find_one({})
    assert list(stored["data"]) == ["sealed_json"]  # a case document holds personal data


async def test_a_partial_write_keeps_the_other_fields(firestore):
    kept, missing = "ro/u-part/cases/kept", "ro/u-part/cases/missing"
    asked: list[list[str]] = []

    async def complete(writes: list[Write]) -> list[Write]:
        asked.append([w.path for w in writes])
        return [Write(w.path, {"version": 2, "a": "whole", "b": "whole"}, 2) for w in writes]

    writer = Writer(firestore, complete=complete)
    await writer.apply([Write(kept, {"version": 1, "a": "old", "b": "old"}, 1)])
    tally = await writer.apply(
        [Write(p, {"version": 2, "a": "new"}, 2, partial=True) for p in (kept, missing)]
    )
    assert tally.written == 2 and asked == [[missing]]
    assert await _doc(firestore, kept) == {"version": 2, "a": "new", "b": "old"}
    assert await _doc(firestore, missing) == {"version": 2, "a": "whole", "b": "whole"}
    late = await writer.apply([Write(kept, {"version": 1, "a": "late"}, 1, partial=True)])
    assert late.skipped == 1 and (await _doc(firestore, kept))["a"] == "new"
    with pytest.raises(TypeError, match="nothing completes it"):
        await Writer(firestore).apply([Write("ro/u-part/cases/x", {"version": 1}, 1, partial=True)])


async def test_a_contact_rewrites_only_the_sections_it_changed(client, signing_key, firestore):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    follower = mirror.mirror(firestore)
    await drain(follower)
    path = mirror.case_path(officer.id, str(case.id))
    # A customer change no one logged: a rebuild of the whole document would show it.
    await Customer.get_pymongo_collection().update_one(
        {"_id": case.customer_id}, {"$set": {"name": "Not Logged"}}
    )
    phone = Device(officer)
    await push_ok(client, signing_key, officer, [phone.negotiation(str(case.id))])
    await changelog.sequence_all()
    logged = await changelog.read(since=0, audience=None, limit=500)
    [contact] = [e for e in logged if e.action.startswith("negotiation.")]
    assert contact.sections == ["case", "negotiations"]  # no promise made
    await drain(follower)
    document = await _doc(firestore, path)
    assert document["negotiations"]["count"] == 1  # counted on the case: a new version
    assert document["version"] == case.version + 1
    assert document["customer"]["name"] != "Not Logged"
    assert (await mirror.verify(firestore, officer.id)).stale == [str(case.id)]

    # A partial write to a document Firestore lost writes it whole.
    await firestore.document(path).delete()
    await push_ok(client, signing_key, officer, [phone.negotiation(str(case.id))])
    await drain(follower)
    document = await _doc(firestore, path)
    assert document["negotiations"]["count"] == 2 and document["customer"]["name"] == "Not Logged"
    assert (await mirror.verify(firestore, officer.id)).clean


# ----------------------------------------------------------- Firestore away for a while


@pytest.fixture
async def own_emulator(tmp_path) -> AsyncIterator[tuple[c.Component, AsyncClient]]:
    """An emulator this test may pause without disturbing the others."""
    emulator = c.firestore(c.free_port(), tmp_path, project_id=PROJECT_ID).start()
    emulator.wait_ready(timeout=90)
    previous = os.environ.get("FIRESTORE_EMULATOR_HOST")
    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator.address
    try:
        client = AsyncClient(project=PROJECT_ID, credentials=AnonymousCredentials())
    finally:
        if previous is not None:
            os.environ["FIRESTORE_EMULATOR_HOST"] = previous
    yield emulator, client
    client.close()
    with contextlib.suppress(ProcessLookupError):
        os.killpg(emulator.process.pid, signal.SIGCONT)
    emulator.stop()


async def _caught_up() -> bool:
    """Every change is sequenced and mirrored. The queue is looked at first: a sequencer
    still committing (the follower's, while ours lost to it) keeps its changes there,
    where the head would not show them yet."""
    await changelog.sequence_all()
    if await QueuedChange.find_one() is not None:
        return False
    state = await MirrorState.get("firestore")
    _, head = await changelog.bounds()
    return state is not None and state.cursor == head


async def test_the_mirror_catches_up_after_firestore_returns(app, own_emulator):
    emulator, firestore = own_emulator
    officer = await make_user(Role.RECOVERY_OFFICER)
    held = [await make_case("negotiation", ro=officer) for _ in range(4)]
    await drain(mirror.mirror(firestore))  # a cold emulator answers its first calls slowly
    follower = mirror.mirror(firestore, timeout=1.0)

    async def steady_changes(first: int, count: int) -> None:
        for n in range(first, first + count):
            case = held[n % len(held)]
            async with db.transaction() as session:
                fresh = await cases.get_unscoped(str(case.id), session=session)
                await cases.update(
                    actor=None,
                    case=fresh,
                    action="test.follow_up",
                    changes={"region": f"Region {n}"},
                    session=session,
                )
            await asyncio.sleep(0.05)

    running = asyncio.create_task(follower.run(seconds=90, idle=0.05, max_backoff=1.0))
    os.killpg(emulator.process.pid, signal.SIGSTOP)  # Firestore hangs, like a lost network
    await steady_changes(0, 40)
    await asyncio.sleep(2)
    state = await MirrorState.get("firestore")
    assert state.backlog > 0 and state.last_error
    os.killpg(emulator.process.pid, signal.SIGCONT)
    await steady_changes(40, 10)
    for _ in range(600):  # the follower is cancelled as soon as it has caught up
        if await _caught_up():
            break
        await asyncio.sleep(0.1)
    running.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await running
    assert await _caught_up()
    assert (await MirrorState.get("firestore")).backlog == 0
    drift = await mirror.verify(firestore, officer.id)
    assert drift.clean, drift.report()
    stored = await _doc(firestore, mirror.case_path(officer.id, str(held[1].id)))
    assert stored["region"] == "Region 49"


def _gauge(page: str, name: str) -> float:
    line = next(line for line in page.splitlines() if line.startswith(f"{name} "))
    return float(line.split()[1])


async def test_lag_and_backlog_are_on_the_metrics_page(client, firestore):
    officer = await make_user(Role.RECOVERY_OFFICER)
    await make_case("negotiation", ro=officer)
    await drain(mirror.mirror(firestore))
    page = (await client.get("/metrics")).text
    assert _gauge(page, "debtx_mirror_backlog") == 0
    assert _gauge(page, "debtx_mirror_oldest_pending_seconds") == 0
    assert "debtx_mirror_lag_seconds" in page and "debtx_mirror_dead_letters_total 0.0" in page


async def test_the_backlog_grows_while_no_mirror_runs(client, firestore):
    """Read from the log at each scrape, not from the state a stopped mirror saved last."""
    officer = await make_user(Role.RECOVERY_OFFICER)
    await make_case("negotiation", ro=officer)
    await drain(mirror.mirror(firestore))
    await make_case("negotiation", ro=officer)  # its changes queued, no cursor yet
    waiting = await QueuedChange.count()
    assert waiting
    await asyncio.sleep(0.05)
    queued = (await client.get("/metrics")).text
    assert _gauge(queued, "debtx_mirror_backlog") == waiting
    assert _gauge(queued, "debtx_mirror_oldest_pending_seconds") >= 0.05
    await changelog.sequence_all()  # given cursors, still not written
    sequenced = (await client.get("/metrics")).text
    assert _gauge(sequenced, "debtx_mirror_backlog") == waiting
    assert _gauge(sequenced, "debtx_mirror_oldest_pending_seconds") >= _gauge(
        queued, "debtx_mirror_oldest_pending_seconds"
    )
    await drain(mirror.mirror(firestore))
    written = (await client.get("/metrics")).text
    assert _gauge(written, "debtx_mirror_backlog") == 0
    assert _gauge(written, "debtx_mirror_oldest_pending_seconds") == 0
