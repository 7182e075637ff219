"""Intake rows and files for tests, generated rather than stored."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta

from backend.intake.rows import COLUMNS

OVERDUE = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()


def row(n: int, **fields: str) -> dict[str, str]:
    """One valid arrears row for account n (one product, no CPE)."""
    base = {
        "external_ref": f"INC-{n:07d}",
        "action": "arrears",
        "account_id": f"ACC-{n:08d}",
        "customer_id": f"CUS-{n:07d}",
        "customer_name": f"Customer {n}",
        "region": "Western",
        "mobile": f"077{n % 10**7:07d}",
        "product_id": f"P{n}-1",
        "product_type": "fibre",
        "arrears": "1250.50",
        "currency": "LKR",
        "overdue_since": OVERDUE,
    }
    return {**base, **fields}


def cpe_row(n: int, serial: str, **fields: str) -> dict[str, str]:
    """A row naming one CPE item of account n's first product."""
    item = {"cpe_serial": serial, "cpe_model": "HG8245H", "cpe_type": "router"}
    return row(n, action="arrears_and_cpe", **item, **fields)


def csv_text(rows: Iterable[dict[str, str]], columns: Iterable[str] = COLUMNS) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def jsonl_text(rows: Iterable[dict]) -> str:
    return "".join(json.dumps(r) + "\n" for r in rows)


def _lines(count: int, first: int) -> Iterator[str]:
    yield ",".join(COLUMNS) + "\n"
    for n in range(first, first + count):
        values = row(n)
        yield ",".join(values.get(c, "") for c in COLUMNS) + "\n"


async def csv_stream(
    count: int, *, first: int = 1, chunk_bytes: int = 64 * 1024
) -> AsyncIterator[bytes]:
    """A CSV file of `count` valid rows, produced a chunk at a time (never held whole)."""
    buffer: list[str] = []
    size = 0
    for line in _lines(count, first):
        buffer.append(line)
        size += len(line)
        if size >= chunk_bytes:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()
