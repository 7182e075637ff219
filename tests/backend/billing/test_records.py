"""BSS's records upserted by BSS id, the source's own time deciding: out of order and at
the same time, the newest version is the one kept."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta

import pytest

from backend.billing import intake
from backend.billing.models import BillingCycle, Invoice, Outcome, PaymentMethod, ServicePlan
from backend.customers.models import Account, Customer
from tests.backend.billing.helpers import T0, invoice_record, put_invoice
from tests.factories import make_account

pytestmark = pytest.mark.usefixtures("app")


def at(minutes: int) -> str:
    return (T0 + timedelta(minutes=minutes)).isoformat()


async def test_an_older_update_never_overwrites_a_newer_one():
    assert await put_invoice("I1", amount="100.00", updated=T0) is Outcome.CREATED
    later = T0 + timedelta(hours=2)
    assert (
        await put_invoice("I1", amount="300.00", status="overdue", updated=later) is Outcome.UPDATED
    )
    earlier = T0 + timedelta(hours=1)
    assert await put_invoice("I1", amount="200.00", updated=earlier) is Outcome.STALE
    assert await put_invoice("I1", amount="300.00", status="overdue", updated=later) is (
        Outcome.UNCHANGED
    )

    invoice = await Invoice.get("I1")
    assert invoice.amount.amount == 30_000 and invoice.status == "overdue"


async def test_updates_out_of_order_and_concurrent_keep_the_newest():
    versions = [
        invoice_record("I1", amount=f"{100 + n}.00", updated=T0 + timedelta(seconds=n))
        for n in range(40)
    ]
    random.Random(19).shuffle(versions)

    outcomes = await asyncio.gather(*(intake.take_record(v) for v in versions))

    invoice = await Invoice.get("I1")
    assert invoice.amount.amount == 13_900
    assert invoice.source_updated_at == T0 + timedelta(seconds=39)
    assert [o.outcome for o in outcomes].count(Outcome.CREATED) == 1
    assert {o.outcome for o in outcomes} <= {Outcome.CREATED, Outcome.UPDATED, Outcome.STALE}


async def test_a_credit_survives_bss_updates_to_the_open_invoice():
    from backend.billing import service as billing
    from backend.core.money import Money

    await put_invoice("I1", amount="100.00", updated=T0)
    await billing.credit_invoices(account_id="ACC-1", amount=Money(amount=4_000), receipt_id="R1")
    await put_invoice("I1", amount="100.00", status="overdue", updated=T0 + timedelta(days=30))

    invoice = await Invoice.get("I1")
    assert invoice.status == "overdue" and invoice.credited.amount == 4_000


async def test_customers_and_accounts_take_bss_fields_and_keep_debtx_ones():
    account = await make_account()
    customer = await Customer.get(account.customer_id)
    customer_record = {
        "kind": "customer",
        "id": customer.id,
        "name": "Renamed In BSS",
        "group_id": "GRP-CORP",
        "language": "si",
        "updated_at": at(5),
    }
    assert (await intake.take_record(customer_record)).outcome is Outcome.UPDATED
    account_record = {
        "kind": "account",
        "id": account.id,
        "customer_id": customer.id,
        "plan_id": "PLAN-FIBRE-100",
        "cycle_id": "CYC-2026-01",
        "updated_at": at(5),
    }
    assert (await intake.take_record(account_record)).outcome is Outcome.UPDATED
    stale = {**customer_record, "name": "Old Name", "updated_at": at(1)}
    assert (await intake.take_record(stale)).outcome is Outcome.STALE

    stored = await Customer.get(customer.id)
    assert (stored.name, stored.group_id, stored.language) == ("Renamed In BSS", "GRP-CORP", "si")
    assert stored.contacts == customer.contacts and stored.version == customer.version + 1
    held = await Account.get(account.id)
    assert held.plan_id == "PLAN-FIBRE-100" and held.products == account.products
    # still when BSS's arrears were written: dunning compares paid cases with it
    assert abs(held.updated_at - account.updated_at).total_seconds() < 0.001


async def test_a_new_customer_and_account_are_created_whole():
    records = [
        {"kind": "customer", "id": "CUS-NEW-1", "name": "New Customer", "updated_at": at(0)},
        {"kind": "account", "id": "ACC-NEW-1", "customer_id": "CUS-NEW-1", "updated_at": at(0)},
    ]
    for record in records:
        assert (await intake.take_record(record)).outcome is Outcome.CREATED
    customer = await Customer.get("CUS-NEW-1")
    assert customer.version == 1 and customer.language == "en" and customer.contacts == []
    account = await Account.get("ACC-NEW-1")
    assert account.version == 1 and account.products == []


async def test_plans_cycles_groups_and_payment_methods():
    records = [
        {
            "kind": "plan",
            "id": "PLAN-1",
            "name": "Fibre 100",
            "product_type": "fibre",
            "charge": "4990.00",
            "updated_at": at(0),
        },
        {
            "kind": "cycle",
            "id": "CYC-1",
            "name": "January 2026",
            "starts_on": "2026-01-01",
            "ends_on": "2026-01-31",
            "updated_at": at(0),
        },
        {"kind": "group", "id": "GRP-1", "name": "Corporate", "updated_at": at(0)},
        {
            "kind": "payment_method",
            "id": "PM-1",
            "account_id": "ACC-1",
            "type": "card",
            "hint": "**** 4242",
            "preferred": True,
            "updated_at": at(0),
        },
    ]
    outcomes = [await intake.take_record(r) for r in records]
    assert [o.outcome for o in outcomes] == [Outcome.CREATED] * 4
    assert (await ServicePlan.get("PLAN-1")).charge.amount == 499_000
    assert (await BillingCycle.get("CYC-1")).ends_on.day == 31
    assert (await PaymentMethod.get("PM-1")).preferred


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount": "-5.00"}, "amount"),
        ({"amount": "12.345"}, "amount"),
        ({"status": "settled"}, "status"),
        ({"due_date": "10/01/2026"}, "due_date"),
        ({"updated_at": "2026-01-01T00:00:00"}, "updated_at"),
        ({"kind": "receipt"}, "kind"),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_a_bad_record_is_refused_with_its_reason_and_stores_nothing(change, field):
    outcome = await intake.take_record({**invoice_record("I1"), **change})
    assert outcome.outcome is Outcome.REFUSED and outcome.field == field and outcome.reason
    assert await Invoice.count() == 0


async def test_concurrent_feeds_of_overlapping_records_keep_the_newest():
    def batch(hours: int) -> list[tuple[int, object]]:
        stamp = T0 + timedelta(hours=hours)
        records = [invoice_record(f"I{n}", amount=f"{hours}.00", updated=stamp) for n in range(60)]
        return [(n + 1, intake.check(n + 1, r)) for n, r in enumerate(records)]

    batches = [batch(h) for h in (3, 1, 5, 2, 4)]
    results = await asyncio.gather(*(intake.take_many(b) for b in batches))

    stored = await Invoice.find_all().to_list()
    assert len(stored) == 60 and {i.amount.amount for i in stored} == {500}
    created = sum(o.outcome is Outcome.CREATED for r in results for o in r)
    assert created == 60
    newest = results[2]
    assert {o.outcome for o in newest} <= {Outcome.CREATED, Outcome.UPDATED}
