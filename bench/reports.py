"""Aging and roll-rate reports over many cases: the report as the API builds it (through
the registry and the cases service) against a raw aggregation of the same documents on
the same server in the same run.

    .venv/bin/python bench/reports.py [--cases 100000] [--repeat 3]

The cases are bulk-inserted as documents (setup speed), then two daily snapshots are
written the way `reports.snapshot_cases` writes them: one dated a month back, and one
today after a tenth of the cases closed.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import console
from bson import ObjectId
from rich.table import Table

from backend.core import db
from backend.core.settings import MongoSettings
from backend.devstack import components as c
from backend.domains import MODELS
from backend.reports import service as reports
from backend.reports import snapshots
from backend.reports.models import CaseSnapshot
from backend.users.models import Role, User

DRCS = [f"DRC-{i:02d}" for i in range(10)]
BATCH = 5_000


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    return parser.parse_args()


def case_doc(i: int, now: datetime, rng: random.Random) -> dict[str, Any]:
    owed = rng.randrange(1_000, 500_000)
    return {
        "_id": ObjectId(),
        "incident_id": f"INC-B{i:08d}",
        "customer_id": f"C{i}",
        "customer_name": f"Customer {i}",
        "account_id": f"ACC{i}",
        "product_ids": ["P1"],
        "action": "arrears",
        "arrears": {"amount": owed, "currency": "LKR"},
        "outstanding": {"amount": owed - rng.randrange(0, owed), "currency": "LKR"},
        "overdue_since": now - timedelta(days=rng.randrange(0, 400)),
        "phase": "negotiation",
        "is_open": True,
        "drc_id": rng.choice(DRCS),
        "ro_id": f"ro-{rng.randrange(200)}",
        "created_at": now - timedelta(days=rng.randrange(0, 400)),
        "version": 1,
    }


def stage(name: str, started: float) -> float:
    console.print(f"  {name}: {time.perf_counter() - started:.1f} s")
    return time.perf_counter()


async def load(cases: int, now: datetime) -> None:
    rng = random.Random(20)
    collection = db.bound_client()["debtx"]["cases"]
    started = time.perf_counter()
    for start in range(0, cases, BATCH):
        docs = [case_doc(i, now, rng) for i in range(start, min(start + BATCH, cases))]
        await collection.insert_many(docs, ordered=False)
    started = stage("cases inserted", started)
    await snapshots.take(now=now - timedelta(days=31))
    started = stage("snapshot a month back", started)
    closing = [d["_id"] async for d in collection.find({}, {"_id": 1}).limit(cases // 10)]
    await collection.update_many(
        {"_id": {"$in": closing}}, {"$set": {"phase": "closed", "is_open": False}}
    )
    started = stage("a tenth closed", started)
    await snapshots.take(now=now)
    stage("snapshot today", started)


def raw_aging(now: datetime) -> list[dict[str, Any]]:
    """The aging buckets as one hand-written pipeline."""
    since = [now - timedelta(days=d + 1) for d in (0, 30, 60, 90, 180)]
    branches = [{"case": {"$gt": ["$overdue_since", at]}, "then": i} for i, at in enumerate(since)]
    band = {"$switch": {"branches": branches, "default": len(since)}}
    return [
        {"$match": {"phase": {"$in": ["negotiation"]}}},
        {
            "$group": {
                "_id": {"b": band, "c": "$outstanding.currency"},
                "n": {"$sum": 1},
                "o": {"$sum": "$outstanding.amount"},
            }
        },
    ]


def raw_rolls(day: str, next_day: str) -> list[dict[str, Any]]:
    """The roll counts between two snapshot days as one hand-written pipeline."""
    return [
        {"$match": {"day": {"$in": [day, next_day]}}},
        {
            "$group": {
                "_id": "$case_id",
                "f": {"$max": {"$cond": [{"$eq": ["$day", day]}, "$band", None]}},
                "t": {"$max": {"$cond": [{"$eq": ["$day", next_day]}, "$band", None]}},
            }
        },
        {"$match": {"f": {"$ne": None}}},
        {"$group": {"_id": {"f": "$f", "t": "$t"}, "n": {"$sum": 1}}},
    ]


async def timed(work, repeat: int) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = await work()
        best = min(best, time.perf_counter() - started)
    return best, result


async def measure(cases: int, repeat: int) -> Table:
    now = datetime.now(UTC)
    started = time.perf_counter()
    await load(cases, now)
    console.print(
        f"setup: {cases:,} cases and two snapshots in {time.perf_counter() - started:.1f} s"
    )
    admin = User(
        id="bench-admin", email="bench@debtx.dev", role=Role.OPERATOR_ADMIN, display_name="Bench"
    )
    filters = reports.default_filters(from_day=(now - timedelta(days=62)).date(), to_day=now.date())
    cases_coll = db.bound_client()["debtx"]["cases"]
    snaps = CaseSnapshot.get_pymongo_collection()
    days = sorted(
        (
            await snapshots.month_ends(start=now - timedelta(days=62), end=now + timedelta(days=1))
        ).values()
    )

    async def aging() -> Any:
        return await reports.run(actor=admin, name="aging", filters=filters)

    async def rolls() -> Any:
        return await reports.run(actor=admin, name="roll-rates", filters=filters)

    async def aging_raw() -> Any:
        return await (await cases_coll.aggregate(raw_aging(now))).to_list()

    async def rolls_raw() -> Any:
        return await (await snaps.aggregate(raw_rolls(days[0], days[-1]))).to_list()

    table = Table(title=f"reports over {cases:,} cases (best of {repeat})")
    for column in ("report", "report s", "raw s", "ratio", "figures"):
        table.add_column(column)
    for name, report, raw in (("aging", aging, aging_raw), ("roll-rates", rolls, rolls_raw)):
        took, built = await timed(report, repeat)
        took_raw, _ = await timed(raw, repeat)
        table.add_row(
            name, f"{took:.2f}", f"{took_raw:.2f}", f"{took / took_raw:.2f}", summary(name, built)
        )
    return table


def summary(name: str, built: Any) -> str:
    if name == "aging":
        return ", ".join(f"{r['bucket']}: {r['cases']:,}" for r in built.rows)
    return ", ".join(
        f"{r['bucket']}: {r['cases']:,} ({r['to_closed'] / 100:.1f}% closed)" for r in built.rows
    )


async def main(args: argparse.Namespace, uri: str) -> None:
    client = db.make_client(MongoSettings(uri=uri))
    await db.init_documents(client, "debtx", MODELS)
    console.print(await measure(args.cases, args.repeat))
    await client.close()


if __name__ == "__main__":
    arguments = parse_args()
    work = Path(tempfile.mkdtemp(prefix="debtx-bench-reports-"))
    mongo = c.mongodb(work / "mongo", c.free_port(), work / "logs").start().wait_ready()
    try:
        asyncio.run(main(arguments, c.mongo_uri(mongo)))
    finally:
        mongo.stop()
