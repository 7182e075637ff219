"""Dunning evaluation throughput: accounts evaluated per second by Celery workers, against
a raw read of the same account and customer documents on the same server in the same run.

    .venv/bin/python bench/dunning_evaluation.py [--accounts 200000] [--workers 1 --workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import LOCALHOST, PROJECT_ID, ROOT, bench_env, console, group_cpu_seconds
from rich.table import Table

from backend.devstack import components as c

QUEUE = "dunning-bench"  # the workers take only evaluation chunks, nothing else queued
CHUNK_TASK = "dunning.evaluate_chunk"
CLEARED = (
    "dunning_standings",
    "dunning_ladders",
    "dunning_ledger",
    "dunning_escalations",
    "segment_assignments",
    "notification_deliveries",
)
LADDER = [
    {"key": "reminder", "kind": "reminder", "channels": ["sms"], "template": "dunning_reminder"},
    {
        "key": "follow-up",
        "kind": "follow_up",
        "channels": ["sms", "email"],
        "template": "dunning_follow_up",
        "min_days_past_due": 15,
    },
    {
        "key": "final",
        "kind": "final_notice",
        "channels": ["sms"],
        "template": "dunning_final_notice",
        "min_days_past_due": 30,
    },
    {"key": "suspend", "kind": "suspension", "min_days_past_due": 45, "wait_days": 2},
    {"key": "handoff", "kind": "handoff", "min_days_past_due": 60, "wait_days": 0},
]
SEGMENTS = [("high-balance", {"balance_min": {"LKR": 1_000_000}}), ("standard", {})]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, action="append", help="repeat for sizes")
    parser.add_argument("--workers", type=int, action="append", help="repeat (1 and 2)")
    parser.add_argument("--chunk-size", type=int, default=500)
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    args.accounts = sorted(set(args.accounts or [200_000]))
    args.workers = sorted(set(args.workers or [1, 2]))
    if min(*args.accounts, *args.workers, args.chunk_size) <= 0:
        parser.error("every count must be positive")
    return args


# --------------------------------------------------------------------------- data


async def configure() -> None:
    """An operator, two segments and a ladder each, through their services."""
    from backend.dunning import strategies
    from backend.dunning.schemas import StrategyCreate
    from backend.segments import service as segments
    from backend.segments.schemas import SegmentCreate
    from backend.users import service as users
    from backend.users.models import Role
    from backend.users.schemas import UserCreate

    actor = await users.create_user(
        actor=None,
        data=UserCreate(
            uid="op-bench",
            email="op@bench.debtx.dev",
            display_name="Bench Operator",
            role=Role.OPERATOR_ADMIN,
        ),
    )
    for key, rules in SEGMENTS:
        data = SegmentCreate.model_validate({"id": key, "name": key.title(), "rules": rules})
        await segments.create_segment(actor=actor, data=data)
        ladder = StrategyCreate.model_validate(
            {"segment_id": key, "name": f"{key} ladder", "steps": LADDER}
        )
        await strategies.create_strategy(actor=actor, data=ladder)


def _people(n: int, rng: random.Random) -> tuple[Any, Any]:
    from backend.core.money import Money
    from backend.customers.models import Account, Contact, ContactKind, Customer, Product

    customer = Customer(
        id=f"CUS-D{n:07d}",
        name=f"Dunning Customer {n}",
        region=rng.choice(["Western", "Central", "Southern", "Northern"]),
        contacts=[
            Contact(id="m", kind=ContactKind.MOBILE, value=f"+9477{n:07d}", primary=True),
            Contact(id="e", kind=ContactKind.EMAIL, value=f"d{n}@example.lk"),
        ],
    )
    paid = rng.random() < 0.1
    products = [
        Product(
            id=f"PD{n}-{k}",
            type=rng.choice(["fibre", "mobile", "peo"]),
            arrears=Money(amount=0 if paid else rng.randint(1_000, 2_000_000)),
        )
        for k in range(rng.choice([1, 1, 2]))
    ]
    account = Account(
        id=f"ACC-D{n:08d}", customer_id=customer.id, region=customer.region, products=products
    )
    return customer, account


def _raw(document: Any) -> dict:
    return document.model_dump(by_alias=True, mode="python")


async def top_up(database: Any, start: int, end: int) -> float:
    """Accounts and customers start..end, inserted raw in batches of 1,000."""
    rng = random.Random(start)
    started = time.perf_counter()
    for first in range(start, end, 1000):
        pairs = [_people(n, rng) for n in range(first, min(first + 1000, end))]
        await database["customers"].insert_many([_raw(p[0]) for p in pairs])
        await database["accounts"].insert_many([_raw(p[1]) for p in pairs])
    return time.perf_counter() - started


async def reset_dunning(database: Any, now: datetime) -> float:
    """No ladder, no step, no message; every owing account known overdue since 1-120
    days ago (an earlier day's evaluation), so the days past due are spread."""
    from backend.dunning.models import Standing
    from backend.segments.models import AccountFacts

    started = time.perf_counter()
    for name in CLEARED:
        await database[name].delete_many({})
    rng = random.Random(3)
    batch: list[dict] = []
    async for row in database["accounts"].find({}, {"customer_id": 1, "products": 1}):
        if not any(p["arrears"]["amount"] > 0 for p in row["products"]):
            continue
        since = now - timedelta(days=rng.randint(1, 120))
        facts = AccountFacts(account_id=row["_id"], customer_id=row["customer_id"])
        known = Standing(id=row["_id"], facts=facts, overdue=True, overdue_since=since, cycle=1)
        known.cycle_started_at = known.evaluated_at = since
        batch.append(_raw(known))
        if len(batch) == 1000:
            await database["dunning_standings"].insert_many(batch)
            batch = []
    if batch:
        await database["dunning_standings"].insert_many(batch)
    return time.perf_counter() - started


# --------------------------------------------------------------------------- measures


@dataclass
class Run:
    """One measured pass over every account."""

    target: str
    accounts: int
    workers: int
    seconds: float
    new_deliveries: int
    new_steps: int
    peak_rss_mb: list[float]
    load_average_1m: float
    db_cpu_s: float  # SecantusDB's CPU seconds meanwhile

    @property
    def rate(self) -> float:
        return self.accounts / self.seconds if self.seconds else 0.0


async def raw_read(database: Any, chunk_size: int) -> tuple[int, float]:
    """Every account and its customer, chunk by chunk in id order from one cursor (as the
    fan-out walks them), as plain documents."""
    started = time.perf_counter()
    read = 0
    chunk: list[dict] = []
    async for account in database["accounts"].find({}).sort("_id").batch_size(chunk_size):
        chunk.append(account)
        if len(chunk) == chunk_size:
            read += await _customers_of(chunk)
            chunk = []
    if chunk:
        read += await _customers_of(chunk)
    return read, time.perf_counter() - started


async def _customers_of(chunk: list[dict]) -> int:
    from backend.core import db
    from backend.customers.models import Customer

    ids = list({a["customer_id"] for a in chunk})
    customers = await db.find_by_keys(Customer, "_id", ids)  # the fastest way here
    assert len(customers) == len(ids)
    return len(chunk)


def celery_worker(n: int, env: dict[str, str], logs: Path) -> c.Component:
    """One worker process (prefork, one child), as each machine would run one."""
    argv = [sys.executable, "-m", "celery", "-A", "backend.worker.app:celery_app", "worker"]
    argv += ["--loglevel", "WARNING", "--queues", QUEUE, "--concurrency", "1"]
    argv += ["--hostname", f"bench-dunning-{n}@%h", "--without-gossip", "--without-mingle"]
    return c.Component(f"worker-{n}", argv, 0, logs / f"worker-{n}.log", lambda _: True, env=env)


def peak_rss_mb(pgid: int) -> float:
    """The largest peak resident set (VmHWM) of the processes in the group: the pool child
    that runs the tasks, or the worker's main process."""
    peak = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            if os.getpgid(int(status.parent.name)) != pgid:
                continue
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines())
        except (OSError, ValueError):
            continue
        peak = max(peak, int(fields.get("VmHWM", "0 kB").split()[0]))
    return peak / 1024


async def wait_idle(redis: Any, within: float) -> float:
    """Until the queue is empty and no task is unacknowledged (late acks: a task is acked
    when it has finished); returns the moment that was seen."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not await redis.llen(QUEUE) and not await redis.hlen("unacked"):
            return time.perf_counter()
        await asyncio.sleep(0.1)
    raise TimeoutError("the evaluation did not finish in time")


async def counts(database: Any) -> tuple[int, int]:
    deliveries = await database["notification_deliveries"].count_documents({})
    steps = await database["dunning_ledger"].count_documents({})
    return deliveries, steps


async def evaluate_by_workers(
    target: str, database: Any, redis: Any, env: dict[str, str], workers: int, args: Any
) -> Run:
    """Start `workers` worker processes, fan every account out in chunks as the daily
    `dunning.evaluate_all` does, and time it until the last chunk is done."""
    from celery import Celery

    from backend.dunning import service

    logs = Path(env["DEBTX_BENCH_LOGS"])
    running = [celery_worker(n, env, logs).start() for n in range(workers)]
    app = Celery("bench", broker=env["DEBTX_REDIS__URL"])
    try:
        await asyncio.sleep(8)  # the workers import the app and connect before timing
        before = await counts(database)
        cpu = group_cpu_seconds(args.db_pgid)
        started = time.perf_counter()

        async def send(ids: list[str]) -> None:
            app.send_task(CHUNK_TASK, kwargs={"account_ids": ids}, queue=QUEUE)

        await service.evaluate_all(chunk_size=args.chunk_size, send=send)
        finished = await wait_idle(redis, within=6 * 3600)
        cpu = group_cpu_seconds(args.db_pgid) - cpu
        after = await counts(database)
        peaks = [peak_rss_mb(w.process.pid) for w in running if w.process is not None]
    finally:
        for worker in running:
            worker.stop()
        app.close()
    evaluated = await database["dunning_standings"].count_documents({})
    return Run(
        target,
        evaluated,
        workers,
        finished - started,
        after[0] - before[0],
        after[1] - before[1],
        peaks,
        os.getloadavg()[0],
        cpu,
    )


# --------------------------------------------------------------------------- run


async def measure_size(size: int, database: Any, redis: Any, env: dict, args: Any) -> list[Run]:
    cpu = group_cpu_seconds(args.db_pgid)
    read, took = await raw_read(database, args.chunk_size)
    used = group_cpu_seconds(args.db_pgid) - cpu
    rows = [Run("raw read", read, 0, took, 0, 0, [], os.getloadavg()[0], used)]
    for workers in args.workers:
        reset = await reset_dunning(database, datetime.now(UTC))
        console.print(f"{size:,} accounts: dunning state reset in {reset:.1f} s")
        rows.append(await evaluate_by_workers("evaluation", database, redis, env, workers, args))
        console.print(rows[-1])
    again = await evaluate_by_workers("again", database, redis, env, args.workers[-1], args)
    rows.append(again)
    console.print(again)
    return rows


async def measure(args: argparse.Namespace, env: dict[str, str]) -> list[Run]:
    from backend.core.settings import get_settings
    from backend.resources import Resources

    resources = await Resources.open(get_settings())
    database = resources.mongo[get_settings().mongo.database]
    rows: list[Run] = []
    try:
        await configure()
        loaded = 0
        for size in args.accounts:
            took = await top_up(database, loaded, size)
            console.print(f"loaded accounts {loaded:,}..{size:,} in {took:.1f} s")
            loaded = size
            rows += await measure_size(size, database, resources.redis, env, args)
    finally:
        await resources.close()
    return rows


def print_results(rows: list[Run]) -> None:
    table = Table(title="Dunning evaluation")
    for name in ("target", "accounts", "workers", "seconds", "accounts/s", "of raw"):
        table.add_column(name, justify="left" if name == "target" else "right")
    for name in ("new deliveries", "new steps", "peak RSS MB", "DB CPU s", "load 1m"):
        table.add_column(name, justify="right")
    raw = 0.0
    for row in rows:
        raw = row.rate if row.target == "raw read" else raw
        table.add_row(
            row.target,
            f"{row.accounts:,}",
            str(row.workers or "-"),
            f"{row.seconds:.1f}",
            f"{row.rate:,.0f}",
            f"{row.rate / raw:.3f}" if raw else "-",
            f"{row.new_deliveries:,}",
            f"{row.new_steps:,}",
            " / ".join(f"{p:.0f}" for p in row.peak_rss_mb) or "-",
            f"{row.db_cpu_s:.0f}",
            f"{row.load_average_1m:.2f}",
        )
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="debtx-bench-dunning-") as tmp:
        work = Path(tmp)
        (work / "logs").mkdir()
        services = c.start_backing_services(
            work, project_id=PROJECT_ID, rules=ROOT / "firestore.rules"
        )
        try:
            console.print(f"ready: backing services ({time.perf_counter() - started:.1f} s)")
            env = bench_env(work, services, c.free_port())
            env["DEBTX_BENCH_LOGS"] = str(work / "logs")
            assert services.mongodb.process is not None
            args.db_pgid = services.mongodb.process.pid  # it leads its own process group
            assert env["DEBTX_MONGO__URI"].startswith(f"mongodb://{LOCALHOST}:")
            os.environ.update(env)
            rows = asyncio.run(measure(args, env))
        finally:
            services.stop()
    print_results(rows)
    console.print(f"total {time.perf_counter() - started:.0f} s on {os.cpu_count()} cores")
    if args.json:
        out = [asdict(r) | {"accounts_per_s": r.rate} for r in rows]
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    again = [r for r in rows if r.target == "again"]
    return 0 if all(r.new_deliveries == 0 and r.new_steps == 0 for r in again) else 1


if __name__ == "__main__":
    raise SystemExit(main())
