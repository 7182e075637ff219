"""Sync push throughput: mutations applied per second, against the raw database bound.

50 simulated devices (one officer each, with cases of their own) push batches of 100
`negotiation.record` mutations to `POST /sync/push` at once, on one uvicorn worker.
Each record sets the case's next follow-up, so every mutation moves the client's
ledger, inserts the negotiation, updates the case (version, follow-up, contact digest;
the first on a case also moves it into negotiation: history, officers' counts), queues
its change-log entry, stores the mutation's result and writes the negotiation's and the
case's audit records (together, as it commits), all in one transaction.

The bound, measured in the same run against the same SecantusDB server: those same
writes (same collections and indexes, documents built by the same models) made
directly with PyMongo, one transaction per mutation, 50 devices at once, on cases
of their own. A second raw row adds the reads the engine makes per mutation (ledger,
case), to tell database time from the API's own.

    .venv/bin/python bench/sync_push.py [--devices 50] [--batches 2] [--batch-size 100]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import ssl
import statistics
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from _harness import (
    console,
    log_problems,
    percentile,
    sign_in,
    start_stack,
)
from bson import ObjectId
from pymongo import AsyncMongoClient
from rich.table import Table

from backend.audit.models import AuditRecord
from backend.cases import repository as case_repository
from backend.cases.contacts import ContactChannel, ContactDigest, ContactResult, NegotiationOutcome
from backend.cases.models import Action, Case, CaseEvent, PartStatus
from backend.cases.phases import Phase
from backend.core import audiences, db
from backend.core.money import Money
from backend.devstack.demo.people import DEMO_DRCS
from backend.domains import MODELS
from backend.negotiations.models import Negotiation
from backend.users import service as users
from backend.users.models import Role
from backend.users.schemas import UserCreate
from sync import changelog
from sync.models import MutationRecord
from sync.protocol import Result, Status

DATABASE = "debtx"
CASES_PER_DEVICE = 10
API, RAW, RAW_READS = "POST /sync/push", "raw writes", "raw writes+reads"
TARGETS = (API, RAW, RAW_READS)


def dump(document: Any) -> dict[str, Any]:
    """pydantic's own dump, as the repositories' bulk paths use; the server keys a new one."""
    fields = document.model_dump(mode="python", by_alias=True, exclude={"revision_id"})
    if fields.get("_id") is None:
        fields.pop("_id", None)
    return fields


@dataclass
class Device:
    """One phone: its officer and a set of cases for each target (API, raw, raw + reads)."""

    n: int
    uid: str
    email: str
    drc_id: str
    cases: dict[str, list[str]] = field(default_factory=dict)  # target -> case ids
    token: str = ""


@dataclass
class Run:
    target: str
    mutations: int
    seconds: float
    batch_ms: list[float]
    statuses: dict[str, int]
    round: int = 0
    load_average_1m: float = 0.0

    @property
    def rate(self) -> float:
        return self.mutations / self.seconds if self.seconds else 0.0


# --------------------------------------------------------------------------- setup


def _case(n: int, device: Device, created: datetime) -> dict[str, Any]:
    arrears = Money(amount=250_000)
    case = Case(
        incident_id=f"SYNC-{n:07d}",
        customer_id=f"CUS-S{n:07d}",
        customer_name=f"Sync Customer {n}",
        account_id=f"ACC-S{n:08d}",
        product_ids=[f"PS{n}"],
        action=Action.ARREARS,
        region="Western",
        arrears=arrears,
        outstanding=arrears,
        phase=Phase.ASSIGNED,
        arrears_status=PartStatus.OPEN,
        cpe_status=PartStatus.NOT_REQUIRED,
        drc_id=device.drc_id,
        ro_id=device.uid,
        validity_until=created + timedelta(days=90),
        created_at=created,
        updated_at=created,
        history=[CaseEvent(action="case.open", to_phase=Phase.NEW)],
    )
    return {"_id": ObjectId(), **case.model_dump(mode="python", exclude={"id", "revision_id"})}


async def prepare(mongo_uri: str, devices: int) -> list[Device]:
    """Officers (through the users service) and their assigned cases (raw inserts)."""
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        await db.init_documents(client, DATABASE, MODELS)
        created = datetime.now(UTC) - timedelta(hours=1)
        made: list[Device] = []
        documents: list[dict[str, Any]] = []
        for n in range(devices):
            drc = DEMO_DRCS[n % len(DEMO_DRCS)].id
            device = Device(n, f"bench-ro-{n:02d}", f"bench.ro{n:02d}@bench.debtx.dev", drc)
            await users.create_user(
                actor=None,
                data=UserCreate(
                    uid=device.uid,
                    email=device.email,
                    display_name=f"Bench Officer {n}",
                    role=Role.RECOVERY_OFFICER,
                    drc_id=drc,
                ),
            )
            for target in TARGETS:
                device.cases[target] = []
                for _ in range(CASES_PER_DEVICE):
                    documents.append(_case(len(documents), device, created))
                    device.cases[target].append(str(documents[-1]["_id"]))
            made.append(device)
        await client[DATABASE]["cases"].insert_many(documents)
        await case_repository.rebuild_officer_counts()
        return made
    finally:
        await client.close()


def contacted(start: datetime, seq: int) -> datetime:
    return start + timedelta(milliseconds=100 * seq)


def batches_for(
    device: Device, client_id: str, start: datetime, batches: int, size: int
) -> list[list[dict[str, Any]]]:
    """The device's queue, as numbered negotiation.record mutations."""
    out = []
    for b in range(batches):
        batch = []
        for i in range(size):
            seq = b * size + i
            at = contacted(start, seq)
            batch.append(
                {
                    "client_id": client_id,
                    "mutation_id": seq + 1,
                    "name": "negotiation.record",
                    "args": {
                        "case_id": device.cases[API][seq % CASES_PER_DEVICE],
                        "contacted_at": at.isoformat(),
                        "channel": "call",
                        "result": "reached",
                        "outcome": "refused",
                        "notes": f"bench contact {seq}",
                        "next_follow_up": (at + timedelta(days=2)).isoformat(),
                    },
                    "base_version": None,
                    "device_time": at.isoformat(),
                    "app_version": "1.4.0",
                    "schema_version": 1,
                    "depends_on": [],
                }
            )
        out.append(batch)
    return out


# --------------------------------------------------------------------------- the API


async def _device_push(
    base_url: str,
    device: Device,
    queue: list[list[dict[str, Any]]],
    ssl_context: ssl.SSLContext,
    latencies: list[float],
    statuses: Counter,
) -> None:
    headers = {"authorization": f"Bearer {device.token}"}
    async with httpx.AsyncClient(
        base_url=base_url,
        limits=httpx.Limits(max_connections=1),
        timeout=None,  # 50 batches of 100 share one worker: a batch may take minutes
        verify=ssl_context,
    ) as http:
        for batch in queue:
            pending = batch
            # `retry` answers (a write conflict outlasted the engine's own retries) are sent
            # again, as the app does; the batch's latency covers every round.
            started = time.perf_counter()
            while pending:
                response = await http.post(
                    "/sync/push", json={"mutations": pending}, headers=headers
                )
                if response.status_code != 200:
                    statuses[f"HTTP {response.status_code}"] += len(pending)
                    break
                results = response.json()["results"]
                statuses.update(r["status"] for r in results if r["status"] != "retry")
                statuses["retry answers"] += sum(r["status"] == "retry" for r in results)
                again = {r["mutation_id"] for r in results if r["status"] == "retry"}
                pending = [m for m in pending if m["mutation_id"] in again]
            latencies.append((time.perf_counter() - started) * 1000)


async def push_all(base_url: str, devices: list[Device], batches: int, size: int) -> Run:
    start = datetime.now(UTC) - timedelta(minutes=4)
    queues = [
        batches_for(d, f"bench-{d.n:02d}-{uuid.uuid4().hex[:8]}", start, batches, size)
        for d in devices
    ]
    latencies: list[float] = []
    statuses: Counter = Counter()
    ssl_context = ssl.create_default_context()
    started = time.perf_counter()
    await asyncio.gather(
        *(
            _device_push(base_url, d, q, ssl_context, latencies, statuses)
            for d, q in zip(devices, queues, strict=True)
        )
    )
    seconds = time.perf_counter() - started
    applied = statuses["applied"] + statuses["merged"]
    return Run(API, applied, seconds, latencies, dict(statuses))


# --------------------------------------------------------------------------- raw PyMongo


@dataclass
class RawCase:
    id: ObjectId
    version: int = 0
    phase: Phase = Phase.ASSIGNED
    contacts: ContactDigest | None = None  # as record_negotiation keeps them on the case


async def _raw_mutation(
    database: Any,
    device: Device,
    client_id: str,
    seq: int,
    case: RawCase,
    at: datetime,
    reads: bool,
) -> None:
    """One negotiation.record's writes (and, with `reads`, its reads) in one transaction."""
    now = datetime.now(UTC)
    follow_up = at + timedelta(days=2)
    case_id = str(case.id)
    scope = audiences.holding(device.uid, device.drc_id)
    negotiation = Negotiation(
        id=ObjectId(),
        case_id=case_id,
        drc_id=device.drc_id,
        officer_id=device.uid,
        contacted_at=at,
        channel=ContactChannel.CALL,
        result=ContactResult.REACHED,
        outcome=NegotiationOutcome.REFUSED,
        notes=f"bench contact {seq}",
        next_follow_up=follow_up,
    )
    moving = case.phase is Phase.ASSIGNED
    contacts = (case.contacts or ContactDigest()).counting(negotiation)
    fields: dict[str, Any] = {
        "next_follow_up": follow_up,
        "contacts": contacts.model_dump(mode="python"),
        "version": case.version + 1,
        "updated_at": now,
    }
    update: dict[str, Any] = {"$set": fields}
    if moving:
        fields["phase"] = Phase.NEGOTIATION.value
        event = CaseEvent(
            action="negotiation.start",
            actor_uid=device.uid,
            from_phase=Phase.ASSIGNED,
            to_phase=Phase.NEGOTIATION,
            drc_id=device.drc_id,
            ro_id=device.uid,
            note="first contact recorded: refused",
        )
        update["$push"] = {"history": event.model_dump(mode="python")}
    action = "negotiation.start" if moving else "negotiation.follow_up"
    audits = [
        AuditRecord(
            at=now,
            actor_uid=device.uid,
            actor_role=Role.RECOVERY_OFFICER.value,
            action="negotiation.record",
            entity_type="negotiation",
            entity_id=str(negotiation.id),
            drc_id=device.drc_id,
            after={
                "case_id": case_id,
                "contacted_at": at.isoformat(),
                "channel": "call",
                "result": "reached",
                "outcome": "refused",
                "promise_id": None,
            },
        ),
        AuditRecord(
            at=now,
            actor_uid=device.uid,
            actor_role=Role.RECOVERY_OFFICER.value,
            action=action,
            entity_type="case",
            entity_id=case_id,
            drc_id=device.drc_id,
            before={"version": case.version} | ({"phase": "assigned"} if moving else {}),
            after={"version": case.version + 1} | ({"phase": "negotiation"} if moving else {}),
        ),
    ]
    result = Result(
        client_id=client_id,
        mutation_id=seq + 1,
        status=Status.APPLIED,
        entity=f"case:{case_id}",
        server_version=case.version + 1,
    )
    record = MutationRecord(
        id=f"{client_id}:{seq + 1}",
        client_id=client_id,
        mutation_id=seq + 1,
        uid=device.uid,
        name="negotiation.record",
        result=result,
    )
    clients = database["sync_clients"]
    async with db.bound_client().start_session() as session, await session.start_transaction():
        if reads:
            await clients.find_one({"_id": client_id}, session=session)
            await database["cases"].find_one({"_id": case.id}, session=session)
        if seq == 0:
            await clients.insert_one(
                {"_id": client_id, "uid": device.uid, "last_mutation_id": 0}, session=session
            )
        await clients.update_one(
            {"_id": client_id, "last_mutation_id": seq},
            {"$set": {"last_mutation_id": seq + 1, "updated_at": at}},
            session=session,
        )
        await database["negotiations"].insert_one(dump(negotiation), session=session)
        changed = await database["cases"].update_one(
            {"_id": case.id, "version": case.version}, update, session=session
        )
        assert changed.matched_count == 1
        if moving:
            for phase, step in ((Phase.ASSIGNED, -1), (Phase.NEGOTIATION, 1)):
                await database["officer_case_counts"].update_one(
                    {"_id": device.uid},
                    {"$inc": {f"phases.{phase.value}": step}},
                    upsert=True,
                    session=session,
                )
        entry = changelog.entry(
            entity="case",
            entity_id=case_id,
            action=action,
            before=scope,
            after=scope,
            version=case.version + 1,
            sections=["case", "negotiations"],
        )
        await database["sync_change_queue"].insert_one(entry, session=session)
        await database["sync_mutations"].insert_one(dump(record), session=session)
        # a transaction's audit records go in together as it commits (db.insert_at_commit)
        await database["audit_log"].insert_many([dump(a) for a in audits], session=session)
    case.version += 1
    case.phase = Phase.NEGOTIATION
    case.contacts = contacts


async def _raw_device(
    database: Any,
    device: Device,
    batches: int,
    size: int,
    start: datetime,
    reads: bool,
    latencies: list[float],
    counts: Counter,
    versions: dict[str, RawCase],
) -> None:
    client_id = f"raw-{device.n:02d}-{uuid.uuid4().hex[:8]}"
    cases = [versions[i] for i in device.cases[RAW_READS if reads else RAW]]
    for b in range(batches):
        started = time.perf_counter()
        for i in range(size):
            seq = b * size + i
            case = cases[seq % CASES_PER_DEVICE]
            for attempt in range(10):
                try:
                    await _raw_mutation(
                        database, device, client_id, seq, case, contacted(start, seq), reads
                    )
                    counts["applied"] += 1
                    break
                except db.WriteConflict:
                    counts["write conflicts"] += 1
                    await asyncio.sleep(0.005 * 2**attempt)
                except Exception as exc:  # the PyMongo error, mapped as the engine does
                    if getattr(exc, "code", None) == 112 or (
                        hasattr(exc, "has_error_label")
                        and exc.has_error_label("TransientTransactionError")
                    ):
                        counts["write conflicts"] += 1
                        await asyncio.sleep(0.005 * 2**attempt)
                        continue
                    raise
        latencies.append((time.perf_counter() - started) * 1000)


async def raw_all(
    mongo_uri: str, devices: list[Device], batches: int, size: int, *, reads: bool
) -> Run:
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri, tz_aware=True)
    try:
        await db.init_documents(client, DATABASE, MODELS)
        database = client[DATABASE]
        ids = [ObjectId(i) for d in devices for i in d.cases[RAW_READS if reads else RAW]]
        versions = {
            str(doc["_id"]): RawCase(doc["_id"], doc["version"], Phase(doc["phase"]))
            async for doc in database["cases"].find(
                {"_id": {"$in": ids}}, {"version": 1, "phase": 1}
            )
        }
        start = datetime.now(UTC) - timedelta(minutes=4)
        latencies: list[float] = []
        counts: Counter = Counter()
        started = time.perf_counter()
        await asyncio.gather(
            *(
                _raw_device(database, d, batches, size, start, reads, latencies, counts, versions)
                for d in devices
            )
        )
        seconds = time.perf_counter() - started
    finally:
        await client.close()
    return Run(RAW_READS if reads else RAW, counts["applied"], seconds, latencies, dict(counts))


# --------------------------------------------------------------------------- report


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devices", type=int, default=50, help="simulated devices (50)")
    parser.add_argument("--batches", type=int, default=1, help="batches per device a round (1)")
    parser.add_argument("--batch-size", type=int, default=100, help="mutations per batch (100)")
    parser.add_argument("--rounds", type=int, default=2, help="rounds of every target (2)")
    parser.add_argument("--no-reads", action="store_true", help="skip the raw + reads row")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if min(args.devices, args.batches, args.batch_size, args.rounds) < 1:
        parser.error("--devices, --batches, --batch-size and --rounds must be positive")
    return args


def run_round(stack: Any, devices: list[Device], args: argparse.Namespace, n: int) -> list[Run]:
    """Every target once, one after the other: the API, the raw writes, raw with reads."""
    runs = [asyncio.run(push_all(stack.base_url, devices, args.batches, args.batch_size))]
    mongo_uri = stack.env["DEBTX_MONGO__URI"]
    for reads in (False, True)[: 1 if args.no_reads else 2]:
        runs.append(
            asyncio.run(raw_all(mongo_uri, devices, args.batches, args.batch_size, reads=reads))
        )
    load = os.getloadavg()[0]
    for run in runs:
        run.round, run.load_average_1m = n, load
    rates = ", ".join(f"{r.target} {r.rate:,.0f}/s" for r in runs)
    console.print(f"round {n}: {rates} (load average {load:.1f})")
    return runs


def print_results(runs: list[Run], args: argparse.Namespace) -> float:
    table = Table(
        title=f"{args.devices} devices x {args.batches} batch(es) of {args.batch_size} "
        f"negotiation.record, {args.rounds} round(s) (same server, same run)"
    )
    names = ("round", "target", "mutations", "seconds", "mutations/s", "batch p50 ms", "p95 ms")
    for name in names:
        table.add_column(name, justify="left" if name == "target" else "right")
    for run in runs:
        table.add_row(
            str(run.round),
            run.target,
            f"{run.mutations:,}",
            f"{run.seconds:.1f}",
            f"{run.rate:,.0f}",
            f"{percentile(run.batch_ms, 50):,.0f}",
            f"{percentile(run.batch_ms, 95):,.0f}",
        )
    console.print(table)
    for run in runs:
        console.print(f"round {run.round} {run.target}: {run.statuses}")
    rate = {
        t: statistics.median(r.rate for r in runs if r.target == t)
        for t in TARGETS
        if any(r.target == t for r in runs)
    }
    ratio = rate[API] / rate[RAW] if rate[RAW] else 0.0
    verdict = "meets" if ratio >= 0.5 else "is BELOW"
    console.print(
        f"sync push = {ratio:.2f} x the raw bound (median {rate[API]:,.0f} vs {rate[RAW]:,.0f} "
        f"mutations/s); {verdict} the 0.5 goal"
    )
    if RAW_READS in rate:
        console.print(f"with the engine's reads the raw rate is {rate[RAW_READS]:,.0f} mutations/s")
    return ratio


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with start_stack() as stack:
        started = time.perf_counter()
        devices = asyncio.run(prepare(stack.env["DEBTX_MONGO__URI"], args.devices))
        for device in devices:
            device.token = sign_in(stack.base_url, device.email)
        console.print(
            f"prepared {len(devices)} officers, {CASES_PER_DEVICE} cases each per target "
            f"({time.perf_counter() - started:.1f} s)"
        )
        runs = [
            run for n in range(1, args.rounds + 1) for run in run_round(stack, devices, args, n)
        ]
        problems = log_problems(stack, "api")
    ratio = print_results(runs, args)
    if problems:
        console.print("[yellow]warnings and errors in the API log:[/yellow]")
        console.print("\n".join(problems[-20:]), markup=False)
    if args.json:
        rows = []
        for run in runs:
            row = asdict(run) | {
                "rate": run.rate,
                "p50_ms": percentile(run.batch_ms, 50),
                "p95_ms": percentile(run.batch_ms, 95),
            }
            row.pop("batch_ms")
            rows.append(row)
        args.json.write_text(json.dumps({"runs": rows, "ratio": ratio}, indent=2) + "\n")
        console.print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
