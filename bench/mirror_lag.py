"""Firestore mirror: lag from commit to visibility at a steady rate, and throughput.

1. Lag. 20 officers x 50 open cases in negotiation (customers, accounts, earlier
   negotiations; loaded raw, as bench/case_list.py does, then mirrored once). A real
   Celery `sync.mirror` worker (queue `mirror`, concurrency 1) follows the change log
   while the driver records 50 negotiations a second through
   `negotiations.service.record_negotiation`, spread over every officer's cases. Each
   change's commit time is taken when the transaction returns; its visibility time when
   a Firestore Listen stream over the officers' case documents (in a process of its
   own; see `Watcher`) first shows the case at that version.
2. Throughput. With the follower stopped, `--backlog` recorded contacts (as above); the
   change log gives them their cursors (timed and shown apart: that is the log's work,
   which pull shares), then the same `sync.mirror` task drains them. Baseline, same run,
   before the drain: the very writes the mirror makes for that backlog (built once with
   the DebtX plan, page by page as the mirror pages the log: the sections a contact
   changed) committed in batches of 500, no version reads, no preconditions, staged
   twice: with the client library's `batch().update()` (`set()` for whole documents),
   the ratio's baseline; and as the mirror stages them (raw protobufs,
   sync/protobufs.py), the emulator's plain capacity, shown as a second ratio. Beside
   each row, the CPU seconds SecantusDB, the emulator and the writer (the mirror's
   worker, or this process) spent, and from them the most of that capacity the mirror
   could reach on this machine: its drain's CPU spread over every core.

    .venv/bin/python bench/mirror_lag.py [--officers 20] [--cases-per-officer 50]
        [--rate 50] [--seconds 60] [--backlog 5000] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import math
import multiprocessing
import os
import platform
import random
import signal
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import (
    LOCALHOST,
    PROJECT_ID,
    ROOT,
    bench_env,
    console,
    cpu_seconds,
    percentile,
)
from bson import ObjectId
from rich.table import Table

from backend.devstack import components as c

MIRROR_LOCK = "debtx:sync:mirror"  # backend.syncing.tasks.MIRROR_LOCK
BATCH = 500
MAX_IN_FLIGHT = 10  # changes the driver has waiting on the database at most


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Firestore mirror lag and throughput.")
    parser.add_argument("--officers", type=int, default=20)
    parser.add_argument("--cases-per-officer", type=int, default=50)
    parser.add_argument("--rate", type=float, default=50.0, help="changes per second (50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="steady-rate run (60)")
    parser.add_argument("--backlog", type=int, default=5000, help="changes to drain (5000)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if min(args.officers, args.cases_per_officer, args.rate, args.seconds, args.backlog) <= 0:
        parser.error("every count must be positive")
    return args


# --------------------------------------------------------------------------- data


@dataclass
class World:
    officers: list[Any]  # backend.users.models.User
    cases: list[Any]  # backend.cases.models.Case, interleaved across officers
    by_uid: dict[str, Any] = field(default_factory=dict)


async def load_world(officers: int, per_officer: int) -> World:
    """DRCs and officers through their services; cases and what lies beside them raw."""
    from backend.cases import repository
    from backend.cases.models import Action, Case, PartStatus
    from backend.cases.phases import Phase
    from backend.core import audiences
    from backend.core.money import Money
    from backend.customers.models import Account, Contact, ContactKind, CpeItem, Customer, Product
    from backend.drcs import service as drcs
    from backend.drcs.schemas import DrcCreate
    from backend.negotiations.models import (
        ContactChannel,
        ContactDigest,
        ContactResult,
        Negotiation,
        NegotiationOutcome,
    )
    from backend.users import service as users
    from backend.users.models import Role
    from backend.users.schemas import UserCreate
    from sync import changelog
    from sync.models import QueuedChange

    rng = random.Random(11)
    drc_ids = ["DRC-BENCHA", "DRC-BENCHB"]
    for drc_id in drc_ids:
        await drcs.create_drc(actor=None, data=DrcCreate(id=drc_id, name=f"{drc_id} Ltd"))
    people = []
    for n in range(officers):
        people.append(
            await users.create_user(
                actor=None,
                data=UserCreate(
                    uid=f"ro-bench-{n:03d}",
                    email=f"ro{n}@bench.debtx.dev",
                    display_name=f"Bench Officer {n}",
                    role=Role.RECOVERY_OFFICER,
                    drc_id=drc_ids[n % len(drc_ids)],
                ),
            )
        )
    now = datetime.now(UTC)
    customers, accounts, cases, talks = [], [], [], []
    for n in range(officers * per_officer):
        officer = people[n % officers]
        customer_id, account_id = f"CUS-M{n:07d}", f"ACC-M{n:08d}"
        customers.append(
            Customer(
                id=customer_id,
                name=f"Mirror Customer {n}",
                region="Western",
                address=f"{n} Galle Road, Colombo",
                contacts=[
                    Contact(kind=ContactKind.MOBILE, value=f"+9477{n:07d}", primary=True),
                    Contact(kind=ContactKind.EMAIL, value=f"c{n}@example.lk"),
                ],
            )
        )
        arrears = Money(amount=rng.randint(5_000, 500_000))
        product = Product(
            id=f"PM{n}",
            type="fibre",
            arrears=arrears,
            cpe=[CpeItem(serial=f"SNM{n:07d}", model="HG8245H", type="router")],
        )
        accounts.append(
            Account(id=account_id, customer_id=customer_id, region="Western", products=[product])
        )
        case = Case(
            incident_id=f"MIRROR-{n:07d}",
            customer_id=customer_id,
            customer_name=f"Mirror Customer {n}",
            account_id=account_id,
            product_ids=[product.id],
            cpe_items=product.cpe,
            action=Action.ARREARS_AND_CPE,
            region="Western",
            arrears=arrears,
            outstanding=arrears,
            phase=Phase.NEGOTIATION,
            arrears_status=PartStatus.OPEN,
            cpe_status=PartStatus.OPEN,
            overdue_since=now - timedelta(days=rng.randint(60, 200)),
            drc_id=officer.drc_id,
            ro_id=officer.id,
            validity_until=now + timedelta(days=rng.randint(10, 90)),
            created_at=now - timedelta(days=30),
            updated_at=now - timedelta(days=1),
        )
        case.id = ObjectId()
        cases.append(case)
        for k in range(3):  # earlier contacts, for the history summary
            talks.append(
                Negotiation(
                    id=ObjectId(),
                    case_id=str(case.id),
                    drc_id=officer.drc_id,
                    officer_id=officer.id,
                    contacted_at=now - timedelta(days=20 - 5 * k),
                    channel=ContactChannel.CALL,
                    result=ContactResult.NO_ANSWER,
                    outcome=NegotiationOutcome.UNREACHABLE,
                    notes="no answer",
                )
            )
    by_id = {str(case.id): case for case in cases}
    for talk in talks:  # counted on the case as record_negotiation counts them
        case = by_id[talk.case_id]
        case.contacts = (case.contacts or ContactDigest()).counting(talk)
    for model, rows in ((Customer, customers), (Account, accounts), (Negotiation, talks)):
        for start in range(0, len(rows), 1000):
            await model.insert_many(rows[start : start + 1000])
    for start in range(0, len(cases), 1000):
        await Case.insert_many(cases[start : start + 1000])
    await repository.rebuild_officer_counts()  # raw inserts bypass the repository
    opened = [
        changelog.entry(
            entity="case",
            entity_id=str(case.id),
            action="case.open",
            before=[],
            after=audiences.holding(case.ro_id, case.drc_id),
            version=case.version,
        )
        for case in cases
    ]
    await QueuedChange.get_pymongo_collection().insert_many(opened)
    stored = {
        str(c.id): c for c in await Case.find({"incident_id": {"$regex": "^MIRROR-"}}).to_list()
    }
    ordered = [stored[str(c.id)] for c in cases]  # officer 0, 1, ... 19, 0, 1, ...
    return World(people, ordered, {u.id: u for u in people})


# --------------------------------------------------------------------------- the follower


def celery_mirror(env: dict[str, str], logs: Path) -> c.Component:
    """The deployment's mirror worker: its own queue, one process (backend/devstack/stack.py)."""
    argv = [sys.executable, "-m", "celery", "-A", "backend.worker.app:celery_app", "worker"]
    argv += ["--loglevel", "WARNING", "--queues", "mirror", "--concurrency", "1"]
    argv += ["--hostname", "bench-mirror@%h"]
    return c.Component("mirror", argv, 0, logs / "mirror.log", lambda _: True, env=env)


def send_mirror_task(redis_url: str) -> None:
    from celery import Celery

    app = Celery("bench", broker=redis_url)
    app.send_task("sync.mirror", queue="mirror")
    app.close()


async def wait_follower(redis: Any, *, running: bool, within: float) -> float:
    """Wait until the follower holds (or released) its lease; returns when it did."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if bool(await redis.exists(MIRROR_LOCK)) == running:
            return time.time()
        await asyncio.sleep(0.02)
    raise TimeoutError(f"the mirror worker did not {'start' if running else 'stop'}")


async def drain_in_process(firestore: Any) -> int:
    from backend.syncing import mirror

    follower = mirror.mirror(firestore)
    total = 0
    while done := await follower.step():
        total += done
    return total


# --------------------------------------------------------------------------- lag


class Watcher:
    """A Firestore listener on every officer's cases (the `cases` collection group).

    Visibility is when a listener is told of the new version; Firestore tells every
    listener of a document alike, so one listener over all officers' trees measures what
    each phone's `ro/{uid}/cases` listener would see. It runs in a process of its own, as
    phones are devices of their own, so it does not take the driver's GIL, and reads the
    Listen stream raw (see `_listen`): twenty `on_snapshot` listeners, one per officer,
    cost this 2-core machine two thirds of a core. Each change it sees comes back as
    (case id, version, time seen) over a queue.
    """

    def __init__(self, uids: list[str], emulator: str) -> None:
        context = multiprocessing.get_context("spawn")
        self.events = context.Queue()
        self.stop = context.Event()
        self.process = context.Process(
            target=_listen, args=(uids, emulator, self.events, self.stop), daemon=True
        )
        self.process.start()
        self.seen: dict[str, list[tuple[int, float]]] = {}
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        while (event := self.events.get()) is not None:
            if event[0] == "ready":
                self.ready.set()
                continue
            _, case_id, version, at = event
            with self.lock:
                self.seen.setdefault(case_id, []).append((version, at))

    def wait_ready(self, timeout: float) -> None:
        if not self.ready.wait(timeout):
            raise TimeoutError("the Firestore listener got no first snapshot")

    def visible_at(self, case_id: str, version: int) -> float | None:
        with self.lock:
            for seen_version, at in self.seen.get(case_id, []):
                if seen_version is not None and seen_version >= version:
                    return at
        return None

    def close(self) -> None:
        self.stop.set()
        self.process.join(30)
        if self.process.is_alive():
            self.process.kill()
        self.events.put(None)
        self.reader.join(5)


def _listen(uids: list[str], emulator: str, events: Any, stop: Any) -> None:
    """The listener's process: report each newer version of the officers' cases it sees.

    Firestore's Listen stream read as raw protobufs: the client library's `on_snapshot`
    rebuilds and deep-copies the whole result set on every change, which at 50 changes a
    second over a thousand documents is most of a core. The emulator resets the target
    after every commit and sends every document again (about 1,000 per commit here, 49
    of 50 unchanged), so only a version higher than the last one seen of a document is
    passed on: what the phone's listener would tell its app."""
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import firestore
    from google.cloud.firestore_v1.types import firestore as api
    from google.cloud.firestore_v1.types import query

    os.environ["FIRESTORE_EMULATOR_HOST"] = emulator
    client = firestore.Client(project=PROJECT_ID, credentials=AnonymousCredentials())
    database = f"projects/{PROJECT_ID}/databases/(default)"
    officers = {f"{database}/documents/ro/{uid}/cases" for uid in uids}
    every_case = query.StructuredQuery(
        from_=[
            query.StructuredQuery.CollectionSelector(collection_id="cases", all_descendants=True)
        ]
    )
    target = api.Target(
        target_id=1,
        query=api.Target.QueryTarget(parent=f"{database}/documents", structured_query=every_case),
    )

    def requests() -> Any:
        yield api.ListenRequest(database=database, add_target=target)
        stop.wait()

    stream = client._firestore_api.listen(requests(), metadata=client._rpc_metadata)
    threading.Thread(target=lambda: (stop.wait(), stream.cancel()), daemon=True).start()
    current = api.TargetChange.TargetChangeType.CURRENT
    newest: dict[str, int] = {}  # by document name
    try:
        for response in stream:
            raw = api.ListenResponse.pb(response)
            kind = raw.WhichOneof("response_type")
            if kind == "target_change" and raw.target_change.target_change_type == current:
                events.put(("ready",))
            elif kind == "document_change":
                doc = raw.document_change.document
                tree, _, case_id = doc.name.rpartition("/")
                version = doc.fields["version"].integer_value
                if tree in officers and version > newest.get(doc.name, -1):
                    newest[doc.name] = version
                    events.put(("seen", case_id, version, time.time()))
    except Exception:  # cancelled at the end of the run
        if not stop.is_set():
            raise
    client.close()


@dataclass
class Change:
    case_id: str
    version: int
    committed: float  # time.time() right after the commit returned
    visible: float | None = None

    @property
    def lag_ms(self) -> float | None:
        return None if self.visible is None else (self.visible - self.committed) * 1000


@dataclass
class LagResult:
    scheduled: int
    committed: int
    failed: int
    seen: int
    elapsed_s: float
    rate: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    commit_p50_ms: float
    commit_p95_ms: float
    load_average_1m: float


async def record_contact(world: World, case: Any, n: int) -> None:
    """The officer holding `case` records a refusal with a new follow-up (the case's
    version moves); a failure reloads the case's version and raises."""
    from backend.cases import service as cases
    from backend.cases.contacts import ContactChannel, ContactResult, NegotiationOutcome
    from backend.negotiations import service as negotiations
    from backend.negotiations.schemas import NegotiationCreate

    now = datetime.now(UTC)
    data = NegotiationCreate(
        contacted_at=now,
        channel=ContactChannel.CALL,
        result=ContactResult.REACHED,
        outcome=NegotiationOutcome.REFUSED,
        notes=f"bench contact {n}",
        next_follow_up=now + timedelta(days=2, seconds=n),
    )
    try:
        await negotiations.record_negotiation(actor=world.by_uid[case.ro_id], case=case, data=data)
    except Exception:
        fresh = await cases.get_unscoped(str(case.id))
        if fresh is not None:
            case.version = fresh.version
        raise


async def drive_negotiations(
    world: World, rate: float, seconds: float
) -> tuple[list[Change], int, float, list[float]]:
    """`rate` negotiations a second, open loop, each on the next case (officers in turn)."""
    changes: list[Change] = []
    commit_ms: list[float] = []
    failed = 0
    busy: set[str] = set()
    targets = itertools.cycle(world.cases)

    async def one(case: Any, n: int) -> None:
        nonlocal failed
        started = time.perf_counter()
        try:
            await record_contact(world, case, n)
        except Exception as exc:  # counted and shown, the run goes on
            failed += 1
            if failed <= 3:
                console.print(f"[red]change failed[/red]: {type(exc).__name__}: {exc}")
            return
        finally:
            busy.discard(str(case.id))
        changes.append(Change(str(case.id), case.version, time.time()))
        commit_ms.append((time.perf_counter() - started) * 1000)

    tasks = []
    total = int(rate * seconds)
    start = last = time.perf_counter()
    for n in range(total):
        await asyncio.sleep(max(0.0, start + n / rate - time.perf_counter()))
        if time.perf_counter() - start >= seconds:  # time-bound: what fell behind is dropped
            break
        if time.perf_counter() - last >= 5:
            last = time.perf_counter()
            console.print(
                f"  {last - start:4.0f} s: {len(changes):,} committed, {len(busy)} in flight, "
                f"{failed} failed"
            )
        while len(busy) >= MAX_IN_FLIGHT:  # the database fell behind: do not pile on
            await asyncio.sleep(0.005)
        if time.perf_counter() - start >= seconds:
            break
        case = next(targets)
        while str(case.id) in busy:  # never two changes of one case in flight
            case = next(targets)
        busy.add(str(case.id))
        tasks.append(asyncio.create_task(one(case, n)))
    await asyncio.gather(*tasks)
    elapsed = time.perf_counter() - start
    return changes, failed, elapsed, commit_ms


async def measure_lag(world: World, watcher: Watcher, rate: float, seconds: float) -> LagResult:
    changes, failed, elapsed, commit_ms = await drive_negotiations(world, rate, seconds)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:  # the tail: the last changes still on their way
        pending = [ch for ch in changes if ch.visible is None]
        for ch in pending:
            ch.visible = watcher.visible_at(ch.case_id, ch.version)
        if all(ch.visible is not None for ch in changes):
            break
        await asyncio.sleep(0.1)
    given_up = time.time()
    lags = [ch.lag_ms for ch in changes if ch.lag_ms is not None]
    # a change never seen counts with the lag it had when the wait ended: a lower bound
    bounded = lags + [(given_up - ch.committed) * 1000 for ch in changes if ch.visible is None]
    return LagResult(
        scheduled=int(rate * seconds),
        committed=len(changes),
        failed=failed,
        seen=len(lags),
        elapsed_s=round(elapsed, 2),
        rate=round(len(changes) / elapsed, 1),
        p50_ms=round(percentile(bounded, 50), 1),
        p95_ms=round(percentile(bounded, 95), 1),
        p99_ms=round(percentile(bounded, 99), 1),
        max_ms=round(max(bounded, default=float("nan")), 1),
        commit_p50_ms=round(percentile(commit_ms, 50), 1),
        commit_p95_ms=round(percentile(commit_ms, 95), 1),
        load_average_1m=round(os.getloadavg()[0], 2),
    )


# --------------------------------------------------------------------------- throughput


@dataclass
class Throughput:
    target: str
    changes: int
    documents: int
    seconds: float
    load_average_1m: float
    cpu_s: dict[str, float]  # CPU seconds each process spent meanwhile (see `cpu_seconds`)

    @property
    def docs_per_s(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


async def metered(groups: dict[str, int | None], work: Any) -> tuple[Any, dict[str, float]]:
    """`work`'s result, and the CPU seconds each group spent while it ran."""
    before = cpu_seconds(groups)
    result = await work
    after = cpu_seconds(groups)
    return result, {name: round(after[name] - before[name], 2) for name in groups}


async def make_backlog(world: World, count: int, workers: int = 8) -> float:
    """`count` recorded contacts (as in the lag phase), `workers` at a time, on distinct
    cases."""
    started = time.perf_counter()
    counter = itertools.count()

    async def worker(w: int) -> None:
        while (n := next(counter)) < count:
            case = world.cases[(n * workers + w) % len(world.cases)]
            for _ in range(5):
                try:
                    await record_contact(world, case, n)
                    break
                except Exception:  # a clash: the case was reloaded, retry
                    continue

    await asyncio.gather(*(worker(w) for w in range(workers)))
    return time.perf_counter() - started


async def sequence_backlog() -> float:
    from sync import changelog

    started = time.perf_counter()
    await changelog.sequence_all()
    return time.perf_counter() - started


async def planned_writes() -> tuple[int, list[Any]]:
    """What the mirror will write for the backlog, planned page by page as it will page
    the log from its cursor."""
    from backend.syncing import mirror
    from sync import changelog
    from sync.models import MirrorState

    state = await MirrorState.get("firestore") or MirrorState()
    cursor, changes, writes = state.cursor, 0, []
    plan = mirror.Planner()
    while page := await changelog.read(since=cursor, audience=None, limit=BATCH):
        newest: dict[str, Any] = {}  # the mirror writes each path of a page once
        for write in await plan(page):
            newest[write.path] = write
        writes += newest.values()
        cursor, changes = page[-1].id, changes + len(page)
    return changes, writes


async def batched_commit(firestore: Any, writes: list[Any], add: Any) -> float:
    """Commit `writes` in batches of 500, each staged with `add(batch, write)`: nothing
    read first, no preconditions."""
    started = time.perf_counter()
    for start in range(0, len(writes), BATCH):
        batch = firestore.batch()
        for write in writes[start : start + BATCH]:
            add(batch, write)
        await batch.commit()
    return time.perf_counter() - started


def client_write(firestore: Any) -> Any:
    """Stage a write with the client library's `update()` (`set()`, `delete()`)."""

    def add(batch: Any, write: Any) -> None:
        ref = firestore.document(write.path)
        if write.data is None:
            batch.delete(ref)
        elif write.partial:
            batch.update(ref, write.data)
        else:
            batch.set(ref, write.data)

    return add


def protobuf_write(firestore: Any) -> Any:
    """Stage a write as the mirror does (sync/protobufs.py), its precondition removed."""
    from google.cloud.firestore_v1.types import write as write_pb
    from google.protobuf.timestamp_pb2 import Timestamp

    from sync import protobufs

    def add(batch: Any, write: Any) -> None:
        name, anytime = protobufs.name(firestore, write.path), Timestamp()
        if write.data is None:
            staged = protobufs.delete(name, update_time=anytime)
        elif write.partial:
            staged = protobufs.update(name, write.data, update_time=anytime)
        else:
            staged = protobufs.replace(name, write.data, update_time=None)
        write_pb.Write.pb(staged).ClearField("current_document")
        batch._add_write_pbs([staged])

    return add


async def drain_by_worker(redis: Any, redis_url: str) -> tuple[int, int, float]:
    """Send one `sync.mirror` task and time it until its cursor reaches the log's head."""
    from sync import changelog
    from sync.models import MirrorState, QueuedChange

    before = await MirrorState.get("firestore") or MirrorState()
    send_mirror_task(redis_url)
    started = await wait_follower(redis, running=True, within=30)  # lease taken: it starts
    while True:
        await asyncio.sleep(0.05)
        state = await MirrorState.get("firestore")
        _, head = await changelog.bounds()
        queued = await QueuedChange.get_pymongo_collection().estimated_document_count()
        if state is not None and state.cursor >= head > before.cursor and not queued:
            break
        if not await redis.exists(MIRROR_LOCK):  # its window ended first: the next task
            send_mirror_task(redis_url)
            await wait_follower(redis, running=True, within=30)
    saved = state.updated_at  # the last page's save
    finished = (saved if saved.tzinfo else saved.replace(tzinfo=UTC)).timestamp()
    return state.cursor - before.cursor, state.written - before.written, finished - started


# --------------------------------------------------------------------------- run


async def measure(
    args: argparse.Namespace,
    env: dict[str, str],
    services: c.BackingServices,
    mirror_worker: c.Component,
) -> dict:
    from backend.core.settings import get_settings
    from backend.resources import Resources

    resources = await Resources.open(get_settings())
    redis_url = env["DEBTX_REDIS__URL"]
    results: dict[str, Any] = {}
    try:
        started = time.perf_counter()
        world = await load_world(args.officers, args.cases_per_officer)
        mirrored = await drain_in_process(resources.firestore)
        console.print(
            f"loaded {len(world.cases):,} cases for {len(world.officers)} officers and mirrored "
            f"{mirrored:,} changes in {time.perf_counter() - started:.1f} s"
        )
        watcher = await asyncio.to_thread(
            Watcher, [u.id for u in world.officers], env["FIRESTORE_EMULATOR_HOST"]
        )
        try:
            await asyncio.to_thread(watcher.wait_ready, 60)
            send_mirror_task(redis_url)
            await wait_follower(resources.redis, running=True, within=60)
            lag = await measure_lag(world, watcher, args.rate, args.seconds)
        finally:
            watcher.close()
        results["lag"] = asdict(lag)
        console.print("waiting for the mirror task's window to end (the follower stops)")
        await wait_follower(resources.redis, running=False, within=args.seconds + 120)
        behind = await drain_in_process(resources.firestore)  # so the backlog is all new
        if behind:
            console.print(f"the follower stopped {behind:,} changes behind; mirrored them first")

        made = await make_backlog(world, args.backlog)
        console.print(
            f"backlog: {args.backlog:,} recorded contacts in {made:.1f} s, follower stopped"
        )
        sequenced = await sequence_backlog()
        console.print(
            f"the change log gave them cursors in {sequenced:.1f} s (the log's work, shared "
            "with pull; not counted for either side below)"
        )
        results["sequencing_s"] = sequenced
        changes, writes = await planned_writes()
        servers = {"SecantusDB": pgid(services.mongodb), "emulator": pgid(services.firestore)}
        baselines = []
        for target, add in (
            ("raw batch writes", client_write(resources.firestore)),
            ("raw protobuf writes", protobuf_write(resources.firestore)),
        ):
            took, cpu = await metered(
                servers | {"writer": None}, batched_commit(resources.firestore, writes, add)
            )
            baselines.append(
                Throughput(target, changes, len(writes), took, os.getloadavg()[0], cpu)
            )
        drained, cpu = await metered(
            servers | {"writer": pgid(mirror_worker)}, drain_by_worker(resources.redis, redis_url)
        )
        covered, written, mirror_s = drained
        ours = Throughput("DebtX mirror", covered, written, mirror_s, os.getloadavg()[0], cpu)
        rows = [ours, *baselines]
        results["throughput"] = [asdict(row) | {"docs_per_s": row.docs_per_s} for row in rows]
        raw, capacity = baselines
        results["ratio"] = ours.docs_per_s / raw.docs_per_s
        results["capacity_ratio"] = ours.docs_per_s / capacity.docs_per_s
        results["capacity_bound"] = capacity_bound(ours, capacity)
        print_results(lag, rows, args)
    finally:
        mirror_worker.stop()
        await resources.close()
    return results


def pgid(component: c.Component) -> int:
    """The process group a component runs in (it starts a session of its own)."""
    assert component.process is not None, f"{component.name} is not running"
    return component.process.pid


def capacity_bound(ours: Throughput, capacity: Throughput) -> float:
    """The most of the emulator's capacity the mirror could reach on this machine: its
    documents in the time the CPU its drain needs (the three processes together) takes
    spread over every core without a moment lost, as a share of the baseline's docs/s."""
    floor = sum(ours.cpu_s.values()) / (os.cpu_count() or 1)
    return ours.documents / floor / capacity.docs_per_s if floor else math.inf


def machine() -> str:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "?",
    )
    return (
        f"{os.cpu_count()} cores ({model}), shared by SecantusDB, Redis, the Firestore "
        f"emulator, the mirror worker and this load generator; Python {platform.python_version()}"
    )


def print_results(lag: LagResult, rows: list[Throughput], args) -> None:
    """`rows`: the mirror, the client-library baseline, the protobuf baseline."""
    table = Table(title=f"Commit to Firestore visibility at {args.rate:g} changes/s (Listen)")
    for name in ("changes", "seen", "failed", "rate/s", "p50 ms", "p95 ms", "p99 ms", "max ms"):
        table.add_column(name, justify="right")
    table.add_row(
        f"{lag.committed:,}",
        f"{lag.seen:,}",
        str(lag.failed),
        f"{lag.rate:.1f}",
        f"{lag.p50_ms:.0f}",
        f"{lag.p95_ms:.0f}",
        f"{lag.p99_ms:.0f}",
        f"{lag.max_ms:.0f}",
    )
    console.print(table)
    console.print(
        f"commit itself (record_negotiation): p50 {lag.commit_p50_ms:.0f} ms, "
        f"p95 {lag.commit_p95_ms:.0f} ms; load average {lag.load_average_1m}"
    )
    if lag.seen < lag.committed:
        console.print(
            f"{lag.committed - lag.seen:,} changes not visible 15 s after the run; they count "
            "with the lag they had then, so the percentiles are lower bounds"
        )
    verdict = "yes" if lag.p95_ms < 1000 and lag.seen == lag.committed else "NO"
    console.print(f"p95 lag {lag.p95_ms:.0f} ms (< 1 s, every change seen: {verdict})")
    table = Table(title=f"Mirroring a backlog of {args.backlog:,} changes vs raw batched writes")
    for name in ("target", "changes", "documents", "seconds", "docs/s", "load 1m"):
        table.add_column(name, justify="left" if name == "target" else "right")
    for row in rows:
        table.add_row(
            row.target,
            f"{row.changes:,}",
            f"{row.documents:,}",
            f"{row.seconds:.2f}",
            f"{row.docs_per_s:,.0f}",
            f"{row.load_average_1m:.2f}",
        )
    console.print(table)
    table = Table(title="CPU seconds meanwhile (writer: the mirror's worker, or this process)")
    for name in ("target", *rows[0].cpu_s, "total"):
        table.add_column(name, justify="left" if name == "target" else "right")
    for row in rows:
        spent = [*row.cpu_s.values(), sum(row.cpu_s.values())]
        table.add_row(row.target, *(f"{seconds:.2f}" for seconds in spent))
    console.print(table)
    ours, raw, capacity = rows
    ratio = ours.docs_per_s / raw.docs_per_s
    console.print(f"throughput ratio {ratio:.2f} (>= 0.7: {'yes' if ratio >= 0.7 else 'NO'})")
    share = ours.docs_per_s / capacity.docs_per_s
    console.print(f"against the emulator's capacity (protobuf writes): {share:.2f}")
    bound = capacity_bound(ours, capacity)
    console.print(f"with its drain's CPU on {os.cpu_count()} cores, at most: {bound:.2f}")
    console.print(f"machine: {machine()}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    # a SIGTERM (timeout, CI) still runs the `finally`s that stop every server
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="debtx-bench-mirror-") as tmp:
        work = Path(tmp)
        services = c.start_backing_services(
            work, project_id=PROJECT_ID, rules=ROOT / "firestore.rules"
        )
        try:
            console.print(f"ready: backing services ({time.perf_counter() - started:.1f} s)")
            env = bench_env(work, services, c.free_port())
            # one task follows the log for the whole steady-rate run, then stops
            env["DEBTX_SYNC__MIRROR_WINDOW_SECONDS"] = str(args.seconds + 35)
            assert env["DEBTX_MONGO__URI"].startswith(f"mongodb://{LOCALHOST}:")
            os.environ.update(env)
            worker = celery_mirror(env, work / "logs").start()
            results = asyncio.run(measure(args, env, services, worker))
        finally:
            services.stop()
    console.print(f"total {time.perf_counter() - started:.0f} s")
    if args.json:
        results |= {"machine": machine(), "args": {k: str(v) for k, v in vars(args).items()}}
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        console.print(f"results written to {args.json}")
    ok = results["lag"]["p95_ms"] < 1000 and results["ratio"] >= 0.7
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
