"""Officer case list under load, with 10,000 cases loaded.

An officer's app lists their negotiation cases (`GET /cases?phase=negotiation`) and a
supervisor's console lists the DRC's open cases; both at 100 concurrent clients,
beside a bare FastAPI route measured in the same run.

    .venv/bin/python bench/case_list.py [--cases 10000] [--concurrency 100]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import random
from datetime import UTC, datetime, timedelta

from _harness import Row, console, drive, print_table, sign_in, start_app, start_stack, summarize
from bson import ObjectId
from pymongo import AsyncMongoClient

from backend.cases import repository
from backend.cases.models import Action, Case, PartStatus
from backend.cases.phases import Phase
from backend.core import db
from backend.core.money import Money
from backend.devstack.demo import DEMO_DOMAIN, DEMO_DRCS, OFFICER_AREAS
from backend.domains import MODELS

WORKING = [Phase.ASSIGNED, Phase.NEGOTIATION, Phase.SETTLEMENT, Phase.MEDIATION]


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
        phase=rng.choice(WORKING),
        arrears_status=PartStatus.OPEN,
        drc_id=drc_id,
        ro_id=ro_id,
        validity_until=now + timedelta(days=rng.randint(1, 90)),
        updated_at=now - timedelta(minutes=rng.randint(0, 100_000)),
    )
    return {"_id": ObjectId(), **case.model_dump(mode="python", exclude={"id", "revision_id"})}


async def load_cases(mongo_uri: str, count: int) -> float:
    """Insert `count` cases spread over the demo officers; returns seconds taken."""
    rng = random.Random(7)
    officers = itertools.cycle(_officers())
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri)
    started = asyncio.get_running_loop().time()
    try:
        await db.init_documents(client, "debtx", MODELS)
        collection = client["debtx"]["cases"]
        batch = []
        for n in range(count):
            ro_id, drc_id = next(officers)
            batch.append(_case(n, ro_id, drc_id, rng))
            if len(batch) == 1000:
                await collection.insert_many(batch)
                batch = []
        if batch:
            await collection.insert_many(batch)
        # raw inserts bypass the case repository: recount as the nightly repair would
        await repository.rebuild_officer_counts()
    finally:
        await client.close()
    return asyncio.get_running_loop().time() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=100)
    parser.add_argument("--requests-per-client", type=int, default=10)
    args = parser.parse_args()
    rows: list[Row] = []
    with start_stack() as stack, start_app("bare", "bench.bare_app:create_app") as bare:
        seconds = asyncio.run(load_cases(stack.env["DEBTX_MONGO__URI"], args.cases))
        console.print(f"loaded {args.cases} cases in {seconds:.1f} s")
        targets = [
            (
                "officer list",
                f"{stack.base_url}/cases?phase=negotiation&limit=50",
                f"officer1.lanka@{DEMO_DOMAIN}",
            ),
            (
                "supervisor list",
                f"{stack.base_url}/cases?open_only=true&limit=50",
                f"supervisor.lanka@{DEMO_DOMAIN}",
            ),
            ("officer counts", f"{stack.base_url}/cases/counts", f"officer1.lanka@{DEMO_DOMAIN}"),
        ]
        for name, url, email in targets:
            headers = {"authorization": f"Bearer {sign_in(stack.base_url, email)}"}
            result = drive(url, headers, args.concurrency, args.requests_per_client)
            rows.append(summarize(name, args.concurrency, result))
        rows.append(
            summarize(
                "bare",
                args.concurrency,
                drive(f"{bare}/", {}, args.concurrency, args.requests_per_client),
            )
        )
    print_table(rows, title=f"Case lists with {args.cases:,} cases loaded")
    bare_rps = rows[-1].rps
    for row in rows[:-1]:
        verdict = "yes" if row.p95_ms < 2000 and row.errors == 0 else "NO"
        console.print(
            f"{row.target}: p95 {row.p95_ms:.0f} ms (< 2 s: {verdict}); "
            f"req/s {row.rps / bare_rps:.1%} of the bare route"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
