"""Bulk intake throughput: a large CSV file through POST /incidents/batches.

The file (default 100,000 rows, one product per row, so one incident, case, open-case
key, audit record, incident, customer and account per row) is generated as it is sent
and streamed to the real API as a chunked `text/csv` body; the API parses, validates
and writes it a chunk per transaction. The baseline, measured in the same run against
the same SecantusDB server, is a raw `insert_many` of the very case documents the
import created, 500 at a time: into a collection with the `cases` indexes, and into
one without indexes. The same file is then uploaded again (every row a duplicate).

    .venv/bin/python bench/intake_throughput.py [--rows N] [--json PATH]
"""

from __future__ import annotations

import argparse
import csv
import io
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

from backend.intake.rows import COLUMNS

EMAIL = "admin@demo.debtx.dev"
CHUNK = 500
OVERDUE = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Bulk intake rows/s against raw insert_many.")
    parser.add_argument("--rows", type=int, default=100_000, help="rows in the file (100000)")
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be positive")
    return args


def record(n: int) -> dict[str, str]:
    return {
        "external_ref": f"BENCH-{n:08d}",
        "action": "arrears",
        "account_id": f"ACC-{n:09d}",
        "customer_id": f"CUS-{n:09d}",
        "customer_name": f"Bench Customer {n}",
        "region": ("Western", "Southern", "Central", "Northern")[n % 4],
        "mobile": f"077{n % 10**7:07d}",
        "product_id": f"FIB-{n}",
        "product_type": "fibre",
        "arrears": f"{1000 + n % 90_000}.{n % 100:02d}",
        "currency": "LKR",
        "overdue_since": OVERDUE,
    }


def csv_body(rows: int, chunk_bytes: int = 256 * 1024) -> Iterator[bytes]:
    """The file, produced as it is sent: never held whole on either side."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    for n in range(1, rows + 1):
        writer.writerow(record(n))
        if out.tell() >= chunk_bytes:
            yield out.getvalue().encode()
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode()


def peak_rss_mb(stack: Stack) -> float:
    """The API process's peak resident memory so far (VmHWM)."""
    api = next(c for c in stack.components if c.name == "api")
    assert api.process is not None
    for line in Path(f"/proc/{api.process.pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def upload(stack: Stack, token: str, rows: int) -> tuple[dict, float]:
    started = time.perf_counter()
    response = httpx.post(
        f"{stack.base_url}/incidents/batches",
        content=csv_body(rows),
        params={"filename": f"bench-{rows}.csv"},
        headers={"authorization": f"Bearer {token}", "content-type": "text/csv"},
        timeout=None,
    )
    elapsed = time.perf_counter() - started
    response.raise_for_status()
    return response.json(), elapsed


def raw_insert(stack: Stack, *, indexed: bool) -> tuple[int, float]:
    """insert_many of the import's own case documents, CHUNK at a time; only inserts timed."""
    client = MongoClient(stack.env["DEBTX_MONGO__URI"], tz_aware=True)
    database = client["debtx"]
    target = database["bench_raw_cases_indexed" if indexed else "bench_raw_cases"]
    target.drop()
    if indexed:
        for name, spec in database["cases"].index_information().items():
            if name != "_id_":
                target.create_index(spec["key"], unique=spec.get("unique", False), name=name)
    inserted, spent, batch = 0, 0.0, []
    mine = {"customer_name": {"$regex": "^Bench Customer "}}  # not the demo data's cases
    for document in database["cases"].find(mine, batch_size=CHUNK):
        document.pop("_id")
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


def run(args: argparse.Namespace) -> tuple[list[Throughput], dict]:
    rows: list[Throughput] = []
    with start_stack() as stack:
        token = sign_in(stack.base_url, EMAIL)
        rss_before = peak_rss_mb(stack)
        report, seconds = upload(stack, token, args.rows)
        rss_after = peak_rss_mb(stack)
        if report["accepted"] != args.rows:
            console.print(f"[red]only {report['accepted']} of {args.rows} rows accepted[/red]")
        rows.append(Throughput.of("intake API (CSV upload)", args.rows, seconds))
        for indexed in (True, False):
            count, spent = raw_insert(stack, indexed=indexed)
            note = "cases' 6 indexes" if indexed else "no secondary index"
            rows.append(Throughput.of("raw insert_many of the cases", count, spent, note))
        again, seconds = upload(stack, token, args.rows)
        note = f"{again['duplicates']} duplicates"
        rows.append(Throughput.of("same file again", args.rows, seconds, note))
        problems = log_problems(stack, "api")
    if problems:
        console.print("[yellow]warnings and errors in the API log:[/yellow]")
        console.print("\n".join(problems[-20:]), markup=False)
    memory = {"api_peak_rss_mb_before": rss_before, "api_peak_rss_mb_after": rss_after}
    return rows, {**memory, "report": {k: report[k] for k in ("rows", "accepted", "rejected")}}


def print_results(rows: list[Throughput], extra: dict) -> None:
    print_throughput(rows, "Bulk intake vs raw insert_many (same server, same run)")
    intake, indexed, bare = rows[0], rows[1], rows[2]
    console.print(
        f"intake rows/s = {intake.rows_per_s / indexed.rows_per_s:.1%} of raw insert_many into "
        f"an indexed cases collection, {intake.rows_per_s / bare.rows_per_s:.1%} of an "
        "unindexed one"
    )
    console.print(
        f"API peak RSS: {extra['api_peak_rss_mb_before']:.0f} MB before the upload, "
        f"{extra['api_peak_rss_mb_after']:.0f} MB after {intake.rows:,} rows"
    )


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    rows, extra = run(args)
    print_results(rows, extra)
    if args.json:
        results = {"rows": [asdict(r) for r in rows], **extra}
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        console.print(f"results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
