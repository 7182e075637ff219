"""The dashboard's figures (`GET /performance/...`) with 10,000 cases and their work loaded.

Each case gets three contacts, a promise (kept, broken or open) and a payment spread
over the last year; a supervisor's and operator staff's figures are then read at a few
concurrent clients, beside `GET /users/me` (an indexed read of one account) in the same
run, the baseline: each figure is one aggregation over a collection on the database.

    .venv/bin/python bench/dashboard.py [--cases 10000] [--concurrency 5]
"""

from __future__ import annotations

import argparse
import asyncio
import random
from datetime import UTC, datetime, timedelta

from _harness import Row, console, drive, print_table, sign_in, start_stack, summarize
from bson import ObjectId
from case_list import load_cases
from pymongo import AsyncMongoClient

from backend.cases.contacts import ContactChannel, ContactResult, NegotiationOutcome
from backend.commission.models import RecoveryType
from backend.core.money import Money
from backend.devstack.demo import DEMO_DOMAIN
from backend.negotiations.models import Negotiation, Promise, PromiseState
from backend.negotiations.repository import midnight
from backend.payments.models import Payment, PaymentChannel

ROUTES = ("phases", "recovery?months=12", "officers?months=12", "aging")


def _dump(document) -> dict:
    return {"_id": ObjectId(), **document.model_dump(mode="python", exclude={"id", "revision_id"})}


def _work(case: dict, n: int, rng: random.Random) -> tuple[list[dict], dict, dict]:
    """A case's three contacts, its promise and its payment, within the last year."""
    at = datetime.now(UTC) - timedelta(days=rng.randint(1, 360))
    who = {"case_id": str(case["_id"]), "drc_id": case["drc_id"]}
    contacts = [
        Negotiation(
            **who,
            officer_id=case["ro_id"],
            contacted_at=at + timedelta(hours=hour),
            channel=ContactChannel.CALL,
            result=ContactResult.REACHED,
            outcome=NegotiationOutcome.REFUSED,
        )
        for hour in range(3)
    ]
    state = rng.choice(list(PromiseState))
    amount = Money(amount=rng.randint(1_000, 50_000))
    promise = Promise(
        **who,
        negotiation_id=str(ObjectId()),
        officer_id=case["ro_id"],
        amount=amount,
        due_date=at.date(),
        paid=amount if state is PromiseState.KEPT else Money.zero(),
        state=state,
        kept_at=at if state is PromiseState.KEPT else None,
        broken_at=at if state is PromiseState.BROKEN else None,
    )
    payment = Payment(
        **who,
        ro_id=case["ro_id"],
        amount=amount,
        paid_at=at,
        channel=PaymentChannel.BANK,
        reference=f"BENCH-{n:08d}",
        recorded_by=case["ro_id"],
        recovery_type=RecoveryType.DIRECT_PAYMENT,
        outstanding_before=Money(amount=case["outstanding"]["amount"]),
        applied=amount,
        credit=Money.zero(),
        waived=Money.zero(),
    )
    stored = {**_dump(promise), "due_date": midnight(promise.due_date)}  # as the repository does
    return [_dump(c) for c in contacts], stored, _dump(payment)


async def load_work(mongo_uri: str) -> int:
    """Contacts, promises and payments for every bench case; how many documents."""
    rng = random.Random(11)
    client: AsyncMongoClient = AsyncMongoClient(mongo_uri)
    try:
        database = client["debtx"]
        fields = {"drc_id": 1, "ro_id": 1, "outstanding": 1}
        cases = (
            await database["cases"].find({"incident_id": {"$regex": "^BENCH-"}}, fields).to_list()
        )
        contacts, promises, payments = [], [], []
        for n, case in enumerate(cases):
            made, promise, payment = _work(case, n, rng)
            contacts += made
            promises.append(promise)
            payments.append(payment)
        for name, documents in (
            ("negotiations", contacts),
            ("promises", promises),
            ("payments", payments),
        ):
            for start in range(0, len(documents), 1000):
                await database[name].insert_many(documents[start : start + 1000])
        return len(contacts) + len(promises) + len(payments)
    finally:
        await client.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=5)
    parser.add_argument("--requests-per-client", type=int, default=4)
    args = parser.parse_args()
    rows: list[Row] = []
    with start_stack() as stack:
        uri = stack.env["DEBTX_MONGO__URI"]
        asyncio.run(load_cases(uri, args.cases))
        documents = asyncio.run(load_work(uri))
        console.print(f"loaded {args.cases:,} cases and {documents:,} records of their work")
        callers = {
            "supervisor": f"supervisor.lanka@{DEMO_DOMAIN}",
            "operator": f"admin@{DEMO_DOMAIN}",
        }
        for who, email in callers.items():
            headers = {"authorization": f"Bearer {sign_in(stack.base_url, email)}"}
            routes = (*ROUTES, "drcs?months=12") if who == "operator" else ROUTES
            for route in routes:
                url = f"{stack.base_url}/performance/{route}"
                result = drive(url, headers, args.concurrency, args.requests_per_client)
                rows.append(summarize(f"{who} {route.split('?')[0]}", args.concurrency, result))
        headers = {"authorization": f"Bearer {sign_in(stack.base_url, callers['supervisor'])}"}
        baseline = drive(
            f"{stack.base_url}/users/me", headers, args.concurrency, args.requests_per_client
        )
        rows.append(summarize("baseline users/me", args.concurrency, baseline))
    print_table(rows, title=f"Dashboard figures with {args.cases:,} cases and their work")
    base = rows[-1].p50_ms
    for row in rows[:-1]:
        console.print(
            f"{row.target}: p50 {row.p50_ms:.0f} ms, {row.p50_ms / base:.1f}x the baseline"
        )
    return 0 if all(row.errors == 0 for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
