"""BSS billing feed throughput: invoice records through POST /billing/feeds (JSON Lines),
each an upsert by BSS id that only replaces an older version, against a raw `insert_many`
of the very invoice documents the feed wrote, on the same server in the same run. The
same file is sent again (every row unchanged) and then with older versions (every row
stale); last, the balance of every account, a chunk of 500 at a time, by the one
aggregation dunning reads ahead with, against a raw read of the same invoices.

    .venv/bin/python bench/billing_feed.py [--rows N] [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from _harness import (
    Stack,
    Throughput,
    console,
    log_problems,
    print_throughput,
    sign_in,
    start_stack,
    timed_insert,
)
from pymongo import MongoClient

EMAIL = "admin@demo.debtx.dev"
CHUNK = 500
INVOICES_PER_ACCOUNT = 3
T0 = datetime(2026, 1, 1, tzinfo=UTC)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Billing feed rows/s against raw insert_many.")
    parser.add_argument("--rows", type=int, default=30_000, help="invoices in the file (30000)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be positive")
    return args


def record(n: int, stamp: datetime) -> dict:
    account = n // INVOICES_PER_ACCOUNT
    due = (datetime.now(UTC) - timedelta(days=60 - 30 * (n % INVOICES_PER_ACCOUNT))).date()
    return {
        "kind": "invoice",
        "id": f"BINV-{n:09d}",
        "account_id": f"BACC-{account:08d}",
        "number": f"B/{n:09d}",
        "amount": f"{1000 + n % 9000}.{n % 100:02d}",
        "due_date": due.isoformat(),
        "status": "overdue" if n % INVOICES_PER_ACCOUNT == 0 else "pending",
        "updated_at": stamp.isoformat(),
    }


def jsonl_body(rows: int, stamp: datetime, chunk_bytes: int = 256 * 1024) -> Iterator[bytes]:
    """The file, produced as it is sent."""
    lines: list[str] = []
    size = 0
    for n in range(rows):
        line = json.dumps(record(n, stamp)) + "\n"
        lines.append(line)
        size += len(line)
        if size >= chunk_bytes:
            yield "".join(lines).encode()
            lines, size = [], 0
    yield "".join(lines).encode()


def upload(stack: Stack, token: str, rows: int, stamp: datetime) -> tuple[dict, float]:
    started = time.perf_counter()
    response = httpx.post(
        f"{stack.base_url}/billing/feeds",
        content=jsonl_body(rows, stamp),
        params={"filename": f"bench-{rows}.jsonl"},
        headers={"authorization": f"Bearer {token}", "content-type": "application/x-ndjson"},
        timeout=None,
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return response.json(), elapsed


def raw_insert(stack: Stack) -> tuple[int, float]:
    """insert_many of the feed's own invoice documents into a collection with the invoices'
    indexes, CHUNK at a time; only the inserts are timed."""
    client = MongoClient(stack.env["DEBTX_MONGO__URI"], tz_aware=True)
    database = client["debtx"]
    target = database["bench_raw_invoices"]
    target.drop()
    for name, spec in database["invoices"].index_information().items():
        if name != "_id_":
            target.create_index(spec["key"], name=name)
    inserted, spent, batch = 0, 0.0, []
    for document in database["invoices"].find({"_id": {"$regex": "^BINV-"}}, batch_size=CHUNK):
        batch.append(document)
        if len(batch) == CHUNK:
            spent += timed_insert(target, batch)
            inserted, batch = inserted + CHUNK, []
    if batch:
        spent += timed_insert(target, batch)
        inserted += len(batch)
    target.drop()
    client.close()
    return inserted, spent


async def _balances(uri: str, accounts: list[str]) -> tuple[float, float]:
    """Seconds for every account's balance by chunks of CHUNK, and for a raw read of the
    same invoices (one indexed lookup per account, as `db.find_by_keys` joins them)."""
    from backend.billing import service as billing
    from backend.billing.models import Invoice
    from backend.core import db
    from backend.core.settings import MongoSettings
    from backend.domains import MODELS

    client = db.make_client(MongoSettings(uri=uri))
    await db.init_documents(client, "debtx", MODELS)
    chunks = [accounts[i : i + CHUNK] for i in range(0, len(accounts), CHUNK)]
    started = time.perf_counter()
    for chunk in chunks:
        await billing.balances(chunk)
    aggregated = time.perf_counter() - started
    started = time.perf_counter()
    for chunk in chunks:
        await db.find_by_keys(Invoice, "account_id", chunk)
    raw = time.perf_counter() - started
    await client.close()
    return aggregated, raw


def run(args: argparse.Namespace) -> list[Throughput]:
    rows: list[Throughput] = []
    with start_stack() as stack:
        token = sign_in(stack.base_url, EMAIL)
        report, seconds = upload(stack, token, args.rows, T0 + timedelta(hours=1))
        rows.append(Throughput.of("feed (JSONL upload)", args.rows, seconds, _note(report)))
        count, spent = raw_insert(stack)
        rows.append(Throughput.of("raw insert_many", count, spent, "invoices' indexes"))
        again, seconds = upload(stack, token, args.rows, T0 + timedelta(hours=1))
        rows.append(Throughput.of("same file again", args.rows, seconds, _note(again)))
        older, seconds = upload(stack, token, args.rows, T0)
        rows.append(Throughput.of("older versions", args.rows, seconds, _note(older)))
        accounts = sorted({record(n, T0)["account_id"] for n in range(args.rows)})
        aggregated, raw = asyncio.run(_balances(stack.env["DEBTX_MONGO__URI"], accounts))
        n = len(accounts)
        rows.append(Throughput.of("balances by aggregation", n, aggregated, "accounts"))
        rows.append(Throughput.of("raw read of their invoices", n, raw, "accounts"))
        problems = log_problems(stack, "api")
    if problems:
        console.print("[yellow]warnings and errors in the API log:[/yellow]")
        console.print("\n".join(problems[-20:]), markup=False)
    return rows


def _note(report: dict) -> str:
    return ", ".join(f"{v:,} {k}" for k, v in sorted(report["counts"].items()))


def print_results(rows: list[Throughput]) -> None:
    print_throughput(rows, "Billing feed vs raw insert_many (same server, same run)")
    feed, raw, balances, read = rows[0], rows[1], rows[4], rows[5]
    console.print(f"feed rows/s = {feed.rows_per_s / raw.rows_per_s:.1%} of raw insert_many")
    console.print(f"balances/s = {balances.rows_per_s / read.rows_per_s:.1%} of the raw read")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows = run(args)
    print_results(rows)
    if args.json:
        args.json.write_text(json.dumps({"rows": [asdict(r) for r in rows]}, indent=2) + "\n")
        console.print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
