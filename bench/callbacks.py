"""Provider callbacks booked exactly once: reports per second through `receive`, against
raw inserts of the same payment documents into a scratch collection on the same server
in the same run.

1,000 reports are sent at once (a fifth of them repeats of others, as providers resend
confirmations), each naming an account with an open case as its reference, so every new
one is matched, applied to the case (instalments, promises, outstanding, commission,
cure) and booked in one transaction. The run asserts that each transaction booked one
payment and one only. `book(reports)` is the body that is timed: it calls `receive`
in-process (`--via receive`) or, by default, posts each as an M-PESA C2B confirmation to
DebtX's real confirmation route over HTTP (httpx on the ASGI app, `--via c2b`).

    .venv/bin/python bench/callbacks.py [--reports 1000] [--repeats 0.2] [--via c2b|receive]
                                        [--json PATH]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _harness import PROJECT_ID, ROOT, bench_env, console, group_cpu_seconds
from rich.table import Table

from backend.devstack import components as c

SCRATCH = "bench_raw_payments"
BATCH = 500


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000, help="reports sent at once")
    parser.add_argument("--repeats", type=float, default=0.2, help="share that are repeats")
    parser.add_argument(
        "--via", choices=("c2b", "receive"), default="c2b", help="the C2B route, or receive"
    )
    parser.add_argument("--json", type=Path, help="also write the results to this file")
    args = parser.parse_args(argv)
    if args.reports < 2 or not 0 <= args.repeats < 1:
        parser.error("--reports must be 2 or more and --repeats within [0, 1)")
    return args


@dataclass
class Row:
    target: str
    sent: int
    seconds: float
    per_second: float
    db_cpu_s: float
    note: str = ""


# --------------------------------------------------------------------------- data


async def open_cases(count: int) -> list[str]:
    """`count` accounts, each with one open case owing 5,000.00; their account numbers."""
    from backend.cases import service as cases
    from backend.cases.models import Action, Case, open_key
    from backend.core import db
    from backend.core.money import Money
    from backend.customers.models import Account, Contact, ContactKind, Customer, Product

    accounts = []
    for first in range(0, count, BATCH):
        numbers = range(first, min(first + BATCH, count))
        people = [
            Customer(
                id=f"CUS-R{n:07d}",
                name=f"Receipt Customer {n}",
                contacts=[Contact(kind=ContactKind.MOBILE, value=f"+2547{n:08d}", primary=True)],
            )
            for n in numbers
        ]
        owed = Money(amount=500_000, currency="KES")
        held = [
            Account(
                id=f"ACC-R{n:08d}",
                customer_id=f"CUS-R{n:07d}",
                products=[Product(id=f"PR{n}", type="mobile", arrears=owed)],
            )
            for n in numbers
        ]
        await Customer.insert_many(people)
        await Account.insert_many(held)
        opened = [
            (
                Case(
                    incident_id=f"INC-R{a.id}",
                    customer_id=a.customer_id,
                    customer_name="Receipt Customer",
                    account_id=a.id,
                    product_ids=[a.products[0].id],
                    action=Action.ARREARS,
                    arrears=owed,
                    outstanding=owed,
                    overdue_since=datetime.now(UTC) - timedelta(days=60),
                ),
                [open_key(a.id, a.products[0].id, Action.ARREARS)],
            )
            for a in held
        ]
        async with db.transaction() as session:
            await cases.open_cases(actor=None, cases=opened, session=session)
        accounts += [a.id for a in held]
    return accounts


def reports_for(accounts: list[str], total: int, repeats: float) -> list[Any]:
    """One report per account paying 100.00, then repeats of some of them, shuffled."""
    from backend.core.money import Money
    from backend.receipts.models import Provider, Source
    from backend.receipts.schemas import ProviderReport

    paid_at = datetime.now(UTC) - timedelta(minutes=5)
    fresh = [
        ProviderReport(
            provider=Provider.MPESA,
            transaction_id=f"BNC{n:07d}",
            source=Source.CALLBACK,
            amount=Money(amount=10_000, currency="KES"),
            paid_at=paid_at,
            reference=account,
            phone=f"+2547{n:08d}",
        )
        for n, account in enumerate(accounts)
    ]
    rng = random.Random(7)
    sent = fresh + [rng.choice(fresh) for _ in range(total - len(fresh))]
    rng.shuffle(sent)
    assert len(sent) == total and int(total * repeats) == total - len(fresh)
    return sent


# --------------------------------------------------------------------------- measures


async def book(reports: list[Any]) -> list[Any]:
    """Every report at once, as the providers' callbacks arrive; what each answered."""
    from backend.receipts import service as receipts

    return await asyncio.gather(*(receipts.receive(r) for r in reports), return_exceptions=True)


def confirmation_of(report: Any, shortcode: str) -> bytes:
    """The C2B confirmation Daraja would send for `report`."""
    from backend.mpesa.client import timestamp

    return json.dumps(
        {
            "TransactionType": "Pay Bill",
            "TransID": report.transaction_id,
            "TransTime": timestamp(report.paid_at),
            "TransAmount": f"{report.amount.amount // 100}.{report.amount.amount % 100:02d}",
            "BusinessShortCode": shortcode,
            "BillRefNumber": report.reference,
            "InvoiceNumber": "",
            "OrgAccountBalance": "",
            "ThirdPartyTransID": "",
            "MSISDN": report.phone.lstrip("+"),
            "FirstName": "BENCH",
        }
    ).encode()


async def book_via_c2b(reports: list[Any], settings: Any) -> list[Any]:
    """Every report at once as a C2B confirmation to the route; an answer other than
    ResultCode 0 counts as failed."""
    import httpx
    from asgi_lifespan import LifespanManager

    from backend.main import create_app
    from backend.mpesa import urls

    app = create_app(settings)
    url = urls.callback_url(settings.mpesa, urls.C2B_CONFIRMATION)
    headers = {"content-type": "application/json"}
    bodies = [confirmation_of(r, settings.mpesa.shortcode) for r in reports]

    async def one(http: httpx.AsyncClient, body: bytes) -> dict[str, Any]:
        answer = (await http.post(url, content=body, headers=headers)).json()
        if answer.get("ResultCode") != 0:
            raise RuntimeError(f"confirmation refused: {answer}")
        return answer

    async with LifespanManager(app, startup_timeout=60):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, timeout=600) as http:
            return await asyncio.gather(*(one(http, b) for b in bodies), return_exceptions=True)


async def raw_inserts(database: Any, concurrency: int) -> tuple[int, float]:
    """The payment documents the run booked, each inserted on its own into a scratch
    collection with the payments' indexes, `concurrency` at once."""
    target = database[SCRATCH]
    await target.drop()
    for name, spec in (await database["payments"].index_information()).items():
        if name != "_id_":
            await target.create_index(spec["key"], unique=spec.get("unique", False), name=name)
    documents = [
        {k: v for k, v in d.items() if k != "_id"} async for d in database["payments"].find()
    ]
    started = time.perf_counter()
    await asyncio.gather(*(target.insert_one(d) for d in documents[:concurrency]))
    spent = time.perf_counter() - started
    await target.drop()
    return len(documents), spent


async def tally(database: Any, sent: list[Any], answers: list[Any]) -> dict[str, int]:
    """What was booked: each transaction once, whatever the repeats."""
    unique = {r.receipt_id for r in sent}
    failed = [a for a in answers if isinstance(a, BaseException)]
    payments = await database["payments"].count_documents({})
    references = await database["payments"].distinct("reference")
    return {
        "transactions": len(unique),
        "receipts": await database["receipts"].count_documents({}),
        "booked": await database["receipts"].count_documents({"status": "booked"}),
        "payments": payments,
        "duplicate_payments": payments - len(references),
        "sightings": await database["provider_records"].count_documents({}),
        "failed": len(failed),
    }


async def measure(args: argparse.Namespace, db_pgid: int) -> tuple[list[Row], dict[str, int]]:
    from backend.core.logging import configure_logging
    from backend.core.settings import get_settings
    from backend.resources import Resources
    from backend.worker.dispatch import bind_broker

    settings = get_settings()
    configure_logging(level="WARNING", json=True)  # as the other benchmarks run DebtX
    resources = await Resources.open(settings)
    bind_broker(settings)
    database = resources.mongo[settings.mongo.database]
    try:
        unique = args.reports - int(args.reports * args.repeats)
        accounts = await open_cases(unique)
        sent = reports_for(accounts, args.reports, args.repeats)
        cpu = group_cpu_seconds(db_pgid)
        started = time.perf_counter()
        if args.via == "c2b":
            answers = await book_via_c2b(sent, settings)
        else:
            answers = await book(sent)
        seconds, cpu = time.perf_counter() - started, group_cpu_seconds(db_pgid) - cpu
        counts = await tally(database, sent, answers)
        rows = [
            Row(
                "C2B confirmation route (booked)" if args.via == "c2b" else "receive (booked)",
                len(sent),
                seconds,
                counts["booked"] / seconds,
                cpu,
                f"{len(sent) - unique} repeats",
            )
        ]
        cpu = group_cpu_seconds(db_pgid)
        inserted, spent = await raw_inserts(database, args.reports)
        cpu = group_cpu_seconds(db_pgid) - cpu
        rows.append(
            Row(
                "raw insert_one",
                inserted,
                spent,
                inserted / spent,
                cpu,
                "the payments, into a scratch copy",
            )
        )
    finally:
        await resources.close()
    return rows, counts


def print_results(rows: list[Row], counts: dict[str, int]) -> None:
    table = Table(title="Provider callbacks booked vs raw inserts (same server, same run)")
    for name in ("target", "sent", "seconds", "per second", "DB CPU s", "note"):
        table.add_column(name, justify="left" if name in ("target", "note") else "right")
    for row in rows:
        table.add_row(
            row.target,
            f"{row.sent:,}",
            f"{row.seconds:.2f}",
            f"{row.per_second:,.0f}",
            f"{row.db_cpu_s:.1f}",
            row.note,
        )
    console.print(table)
    booked, raw = rows
    console.print(f"booked per second = {booked.per_second / raw.per_second:.1%} of raw inserts")
    console.print(", ".join(f"{k}: {v:,}" for k, v in counts.items()))
    console.print(f"load average (1 min) at the end: {os.getloadavg()[0]:.1f}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="debtx-bench-callbacks-") as tmp:
        work = Path(tmp)
        services = c.start_backing_services(
            work, project_id=PROJECT_ID, rules=ROOT / "firestore.rules"
        )
        try:
            console.print(f"ready: backing services ({time.perf_counter() - started:.1f} s)")
            os.environ.update(bench_env(work, services, c.free_port()))
            assert services.mongodb.process is not None
            rows, counts = asyncio.run(measure(args, services.mongodb.process.pid))
        finally:
            services.stop()
    print_results(rows, counts)
    if args.json:
        out = {"rows": [asdict(r) for r in rows], "counts": counts}
        args.json.write_text(json.dumps(out, indent=2) + "\n")
    once = counts["duplicate_payments"] == 0 and counts["payments"] == counts["transactions"]
    if not once or counts["failed"]:
        console.print("[red]a transaction was booked other than exactly once[/red]")
    return 0 if once and not counts["failed"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
