"""BSS's billing for some of the demo's accounts, pushed as one JSON Lines feed: customer
groups, service plans, the last three monthly billing cycles, each account's plan and
cycle, a payment method, and three monthly invoices (one paid, one overdue, the newest
pending or, for a few accounts, all paid)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

from backend.billing import feeds
from backend.billing.models import FeedBatch
from backend.core import clock
from backend.core.settings import get_settings
from backend.customers import service as customers
from backend.customers.models import Account
from backend.devstack.demo.incidents import major
from backend.devstack.demo.work import Work
from backend.intake.uploads import Upload

FILENAME = "bss-billing-feed.jsonl"
BILLED_ACCOUNTS = 80
GROUPS = {"GRP-CONSUMER": "Consumer", "GRP-SME": "Small business", "GRP-CORP": "Corporate"}
PLANS = {
    "PLAN-FIBRE-100": ("Fibre 100 Mbps", "fibre", 499_000),
    "PLAN-PEOTV": ("PEO TV Family", "peo_tv", 149_000),
    "PLAN-VOICE": ("Home voice", "voice", 59_000),
}
METHODS = ("card", "bank_account", "mobile_money", "cash", "direct_debit")


def _cycles(today: date) -> list[dict[str, Any]]:
    """The last three calendar months, the newest still open."""
    cycles, first = [], today.replace(day=1)
    for n in range(3):
        start = (first - timedelta(days=31 * n)).replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        cycles.append(
            {
                "kind": "cycle",
                "id": f"CYC-{start:%Y-%m}",
                "name": f"{start:%B %Y}",
                "starts_on": start.isoformat(),
                "ends_on": end.isoformat(),
                "status": "open" if n == 0 else "closed",
            }
        )
    return cycles


def _reference_data(today: date) -> list[dict[str, Any]]:
    groups = [{"kind": "group", "id": k, "name": v} for k, v in GROUPS.items()]
    plans = [
        {"kind": "plan", "id": k, "name": n, "product_type": t, "charge": major(c)}
        for k, (n, t, c) in PLANS.items()
    ]
    return [*groups, *plans, *_cycles(today)]


def _invoices(account_id: str, plan: str, cycles: list[dict], work: Work) -> list[dict]:
    charge, all_paid = PLANS[plan][2], work.rng.random() < 0.15
    found = []
    for n, cycle in enumerate(reversed(cycles)):  # oldest first
        due = date.fromisoformat(cycle["ends_on"]) + timedelta(days=14)
        status = "pending" if due >= work.today else "overdue"
        if all_paid or n == 0:
            status = "paid"
        extra = work.rng.choice((0, 0, 25_000, 60_000))
        found.append(
            {
                "kind": "invoice",
                "id": f"INV-{account_id}-{cycle['id'][4:]}",
                "account_id": account_id,
                "number": f"{account_id[3:]}/{cycle['id'][4:]}",
                "amount": major(charge + extra),
                "due_date": due.isoformat(),
                "status": status,
                "issued_on": cycle["ends_on"],
                "cycle_id": cycle["id"],
                "plan_id": plan,
            }
        )
    return found


def _records_of(account: Account, name: str, work: Work, cycles: list[dict]) -> list[dict]:
    """One account's records: the account, its customer, a payment method, its invoices."""
    plan = work.rng.choice(list(PLANS))
    return [
        {
            "kind": "account",
            "id": account.id,
            "customer_id": account.customer_id,
            "region": account.region,
            "plan_id": plan,
            "cycle_id": cycles[0]["id"],
        },
        {
            "kind": "customer",
            "id": account.customer_id,
            "name": name,
            "group_id": work.rng.choice(list(GROUPS)),
        },
        {
            "kind": "payment_method",
            "id": f"PM-{account.id}",
            "account_id": account.id,
            "type": work.rng.choice(METHODS),
            "preferred": True,
        },
        *_invoices(account.id, plan, cycles, work),
    ]


async def _account_records(work: Work, cycles: list[dict]) -> list[dict[str, Any]]:
    """The records of the first BILLED_ACCOUNTS accounts, by account number."""
    ids: list[str] = await anext(customers.account_id_batches(size=BILLED_ACCOUNTS), [])
    accounts = await customers.accounts_by_ids(ids)
    owners = await customers.customers_unscoped([a.customer_id for a in accounts.values()])
    return [
        record
        for account_id in ids
        if (account := accounts.get(account_id)) and account.customer_id in owners
        for record in _records_of(account, owners[account.customer_id].name, work, cycles)
    ]


async def _lines(records: list[dict[str, Any]]) -> AsyncIterator[bytes]:
    stamp = clock.now().isoformat()
    for record in records:
        yield (json.dumps({**record, "updated_at": stamp}) + "\n").encode()


async def push_billing(work: Work) -> FeedBatch:
    """BSS's billing for the first accounts, taken in as a feed file by operator staff."""
    cycles = _cycles(work.today)
    records = [*_reference_data(work.today), *await _account_records(work, cycles)]
    upload = Upload("jsonl", FILENAME, _lines(records))
    batch = await feeds.import_upload(
        actor=work.admin, upload=upload, kind=None, settings=get_settings().billing
    )
    if batch.counts.get("refused"):
        shown = [o.reason for o in batch.outcomes if o.reason][:5]
        raise RuntimeError(f"the demo billing feed was not taken whole: {shown}")
    return batch
