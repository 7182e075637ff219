"""Case lists and counts under load, at 10,000 and then 100,000 cases loaded.

Supervisors list their DRC's open cases through the console (`GET /console/cases`) and
the API (`GET /cases?open_only=true`), and read their DRC's counts (`GET /cases/counts`);
officers list their negotiation cases (`GET /cases?phase=negotiation`) and read their
counts; each at 100 concurrent clients spread over the demo's three supervisors and nine
officers, beside a bare FastAPI route measured in the same run. The cases are loaded in
steps on the same stack (10,000, then 90,000 more), so growth is measured on one server.

    .venv/bin/python bench/case_list.py [--cases 10000 --cases 100000] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import itertools
import json
import random
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from _harness import (
    Row,
    Stack,
    console,
    console_cookie,
    cpu_seconds,
    drive,
    print_table,
    sign_in,
    start_app,
    start_stack,
    summarize,
)
from bson import ObjectId
from pymongo import AsyncMongoClient
from rich.table import Table

from backend.cases import repository
from backend.cases.models import Action, Case, PartStatus
from backend.cases.phases import Phase
from backend.core import db
from backend.core.money import Money
from backend.devstack.demo import DEMO_DOMAIN, DEMO_DRCS, OFFICER_AREAS
from backend.domains import MODELS

# a DRC's book: a tenth waiting for an officer, most being worked, a fifth closed
PHASES = (
    [Phase.ALLOCATED]
    + [Phase.ASSIGNED, Phase.NEGOTIATION] * 2
    + [
        Phase.SETTLEMENT,
        Phase.MEDIATION,
        Phase.CLOSED,
        Phase.CLOSED,
        Phase.NEGOTIATION,
    ]
)
GOAL_P95_MS = 500.0
WARM_UP = 2  # requests per client before the measured ones (the harness's default)


def _officers() -> list[tuple[str, str]]:
    """(officer uid, DRC id) of every demo officer."""
    return [
        (f"ro-{drc.id.removeprefix('DRC-').lower()}-{n}", drc.id)
        for drc in DEMO_DRCS
        for n in range(1, len(OFFICER_AREAS) + 1)
    ]


def _case(n: int, ro_id: str, drc_id: str, rng: random.Random) -> dict:
    now = datetime.now(UTC)
    arrears = Money(amount=rng.randint(5_000, 5_000_000))
    phase = rng.choice(PHASES)
    case = Case(
        incident_id=f"BENCH-{n:07d}",
        customer_id=f"CUS-B{n:07d}",
        customer_name=f"Bench Customer {n}",
        account_id=f"ACC-B{n:08d}",
        product_ids=[f"P{n}"],
        action=Action.ARREARS,
        region="Western",
        arrears=arrears,
        outstanding=arrears,
        phase=phase,
        arrears_status=PartStatus.OPEN,
        drc_id=drc_id,
        ro_id=None if phase is Phase.ALLOCATED else ro_id,
        validity_until=now + timedelta(days=rng.randint(1, 90)),
        next_follow_up=now + timedelta(hours=rng.randint(-200, 400)),
        updated_at=now - timedelta(minutes=rng.randint(0, 100_000)),
    )
    return {"_id": ObjectId(), **case.model_dump(mode="python", exclude={"id", "revision_id"})}


async def load_cases(mongo_uri: str, first: int, count: int) -> float:
    """Insert cases `first` .. `first + count - 1` spread over the demo officers, then
    recount as `debtx keep-case-lists` would; returns seconds taken."""
    rng = random.Random(7 + first)
    officers = itertools.cycle(_officers())
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri, tz_aware=True)
    started = asyncio.get_running_loop().time()
    try:
        await db.init_documents(client, "debtx", MODELS)
        collection = client["debtx"]["cases"]
        for start in range(first, first + count, 1000):
            batch = []
            for n in range(start, min(start + 1000, first + count)):
                ro_id, drc_id = next(officers)
                batch.append(_case(n, ro_id, drc_id, rng))
            await collection.insert_many(batch)
        # raw inserts bypass the case repository: recount as the nightly repair would
        await repository.rebuild_officer_counts()
    finally:
        await client.close()
    return asyncio.get_running_loop().time() - started


@dataclasses.dataclass(frozen=True)
class Target:
    name: str
    path: str
    headers: list[dict[str, str]]


def _targets(base_url: str) -> list[Target]:
    """The pages measured, each spread over every account of its role."""
    slugs = [drc.id.removeprefix("DRC-").lower() for drc in DEMO_DRCS]
    numbers = range(1, len(OFFICER_AREAS) + 1)
    supervisors = [f"supervisor.{slug}@{DEMO_DOMAIN}" for slug in slugs]
    officers = [f"officer{n}.{slug}@{DEMO_DOMAIN}" for slug in slugs for n in numbers]

    def bearers(emails: list[str]) -> list[dict[str, str]]:
        return [{"authorization": f"Bearer {sign_in(base_url, email)}"} for email in emails]

    cookies = [{"cookie": console_cookie(base_url, email)} for email in supervisors]
    return [
        Target("supervisor console list", "/console/cases", cookies),
        Target("supervisor API list", "/cases?open_only=true&limit=50", bearers(supervisors)),
        Target("supervisor API counts", "/cases/counts", bearers(supervisors)),
        Target("officer API list", "/cases?phase=negotiation&limit=50", bearers(officers)),
        Target("officer API counts", "/cases/counts", bearers(officers)),
    ]


@dataclasses.dataclass(frozen=True)
class Cpu:
    """CPU per request of one concurrent run, in ms: the API's, SecantusDB's and the
    load generator's (this process)."""

    target: str
    api_ms: float
    db_ms: float
    client_ms: float


def _groups(stack: Stack) -> dict[str, int | None]:
    """The process groups whose CPU is measured (each component leads its own)."""
    named = {c.name: c.process.pid for c in stack.components if c.process is not None}
    return {"api": named["api"], "db": named["mongodb"], "client": None}


def _measure(
    targets: list[Target], stack: Stack, bare: str, args, cases: int
) -> tuple[list[Row], list[Cpu]]:
    """Each target alone (one client: what a request costs), then at the concurrency,
    with the CPU each process spent per request of the concurrent run."""
    rows, cpus, groups = [], [], _groups(stack)
    for target in targets:
        alone = drive(f"{stack.base_url}{target.path}", target.headers, 1, 20, max_seconds=10)
        rows.append(summarize(f"{target.name} (1 client) @ {cases:,}", 1, alone))
    for target in targets:
        before = cpu_seconds(groups)
        result = drive(
            f"{stack.base_url}{target.path}",
            target.headers,
            args.concurrency,
            args.requests_per_client,
            max_seconds=args.max_seconds,
        )
        after = cpu_seconds(groups)
        row = summarize(f"{target.name} @ {cases:,}", args.concurrency, result)
        sent = row.requests + WARM_UP * args.concurrency  # the warm-up's requests count too
        per = {name: 1000 * (after[name] - before[name]) / sent for name in groups}
        cpus.append(Cpu(row.target, *(round(per[name], 2) for name in ("api", "db", "client"))))
        rows.append(row)
    bare_result = drive(
        f"{bare}/", {}, args.concurrency, args.requests_per_client, max_seconds=args.max_seconds
    )
    rows.append(summarize(f"bare @ {cases:,}", args.concurrency, bare_result))
    return rows, cpus


def _print_cpu(cpus: list[Cpu]) -> None:
    table = Table(title="CPU per request at the concurrency, ms")
    for name in ("target", "API", "SecantusDB", "load generator"):
        table.add_column(name, justify="left" if name == "target" else "right")
    for cpu in cpus:
        table.add_row(cpu.target, f"{cpu.api_ms:.2f}", f"{cpu.db_ms:.2f}", f"{cpu.client_ms:.2f}")
    console.print(table)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, action="append", help="repeat: 10000 and 100000")
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--requests-per-client", type=int, default=10)
    parser.add_argument("--max-seconds", type=float, default=20.0)
    parser.add_argument("--settle-seconds", type=float, default=20.0)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    sizes = sorted(args.cases or [10_000, 100_000])
    rows: list[Row] = []
    cpus: list[Cpu] = []
    with start_stack() as stack, start_app("bare", "bench.bare_app:create_app") as bare:
        targets = _targets(stack.base_url)
        loaded = 0
        for size in sizes:
            seconds = asyncio.run(load_cases(stack.env["DEBTX_MONGO__URI"], loaded, size - loaded))
            console.print(f"loaded {size - loaded:,} cases ({size:,} in all) in {seconds:.1f} s")
            loaded = size
            time.sleep(args.settle_seconds)  # let the server write out the load first
            measured, used = _measure(targets, stack, bare, args, size)
            rows, cpus = rows + measured, cpus + used
    print_table(rows, title="Case lists and counts, 100 concurrent clients")
    _print_cpu(cpus)
    failed = _verdicts(rows)
    if args.json:
        found = {
            "rows": [dataclasses.asdict(r) for r in rows],
            "cpu": [dataclasses.asdict(c) for c in cpus],
        }
        args.json.write_text(json.dumps(found, indent=2))
    return 1 if failed else 0


def _verdicts(rows: list[Row]) -> bool:
    """Print each target's p95 against the goal and its req/s against the bare route's."""
    failed = False
    bare = {r.target.split(" @ ")[1]: r.rps for r in rows if r.target.startswith("bare @")}
    for row in rows:
        name, size = row.target.split(" @ ")
        if name == "bare" or row.concurrency == 1:
            continue
        ok = row.p95_ms < GOAL_P95_MS and row.errors == 0
        failed |= not ok
        console.print(
            f"{row.target}: p95 {row.p95_ms:.0f} ms (< {GOAL_P95_MS:.0f} ms: "
            f"{'yes' if ok else 'NO'}); req/s {row.rps / bare[size]:.1%} of the bare route"
        )
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
