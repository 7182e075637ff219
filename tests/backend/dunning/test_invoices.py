"""An account with invoices from BSS: its standing comes from them (the overdue part less
DebtX's credit, days past due from the oldest overdue invoice, unpaid invoices), read
ahead for a chunk in one aggregation, and paying them clears the account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.billing import service as billing
from backend.core.money import Money
from backend.dunning import service, standing
from backend.dunning.models import LedgerEntry, Standing
from tests.backend.billing.helpers import T0, days_ago, put_invoice
from tests.backend.dunning.conftest import configure
from tests.factories import make_account, make_case


async def test_the_standing_comes_from_the_invoices_not_the_products(app):
    account = await make_account(arrears=250_000)
    await put_invoice("I1", account_id=account.id, amount="400.00", due=days_ago(35))
    await put_invoice("I2", account_id=account.id, amount="200.00", due=days_ago(12))
    await put_invoice("I3", account_id=account.id, amount="900.00", due=days_ago(-10))
    await billing.credit_invoices(
        account_id=account.id, amount=Money(amount=10_000), receipt_id="R"
    )

    reading = await standing.read(account.id, now=datetime.now(UTC), seen_since=None)

    assert reading is not None and reading.owes
    assert reading.facts.balance == {"LKR": 50_000}
    assert reading.facts.days_past_due == 35
    assert reading.facts.unpaid_count == 3


async def test_invoices_paid_by_bss_owe_nothing(app):
    account = await make_account(arrears=250_000)
    late = T0 + timedelta(days=1)
    await put_invoice("I1", account_id=account.id, due=days_ago(35), status="overdue")
    await put_invoice("I1", account_id=account.id, due=days_ago(35), status="paid", updated=late)
    await put_invoice("I2", account_id=account.id, due=days_ago(-5))

    reading = await standing.read(account.id, now=datetime.now(UTC), seen_since=None)

    assert reading is not None and not reading.owes
    assert reading.facts.days_past_due == 0 and reading.facts.unpaid_count == 1


async def test_an_open_case_caps_what_the_invoices_say(app):
    case = await make_case("negotiation", arrears=30_000)
    await put_invoice("I1", account_id=case.account_id, amount="1000.00", due=days_ago(40))

    reading = await standing.read(case.account_id, now=datetime.now(UTC), seen_since=None)

    assert reading is not None and reading.facts.balance == {"LKR": 30_000}
    assert reading.facts.days_past_due == 40


async def test_read_ahead_reads_the_chunks_invoices_in_one_aggregation(app, monkeypatch):
    accounts = [await make_account(arrears=0) for _ in range(3)]
    for n, account in enumerate(accounts[:2]):
        await put_invoice(f"I{n}", account_id=account.id, amount="100.00", due=days_ago(n + 3))
    now = datetime.now(UTC)
    alone = [await standing.read(a.id, now=now, seen_since=None) for a in accounts]
    calls: list[list[str]] = []
    original = billing.balances

    async def counted(ids, **options):
        calls.append(list(ids))
        return await original(ids, **options)

    monkeypatch.setattr(billing, "balances", counted)
    async with standing.read_ahead([a.id for a in accounts]):
        ahead = [await standing.read(a.id, now=now, seen_since=None) for a in accounts]

    assert calls == [[a.id for a in accounts]]
    assert [r.facts for r in ahead] == [r.facts for r in alone]
    assert [r.facts.days_past_due for r in ahead] == [3, 4, 0]


async def test_paying_the_invoices_clears_the_account(client, as_operator, moving_clock):
    await configure(client, as_operator())
    account = await make_account(arrears=0)
    await put_invoice("I1", account_id=account.id, amount="500.00", due=days_ago(20))

    await service.evaluate_accounts([account.id])
    assert [e.step for e in await LedgerEntry.find({"account_id": account.id}).to_list()] == [
        "reminder"
    ]
    await billing.credit_invoices(
        account_id=account.id, amount=Money(amount=50_000), receipt_id="R"
    )
    moving_clock.advance(3)
    await service.evaluate_accounts([account.id])

    held = await Standing.get(account.id)
    assert held is not None and held.facts.balance == {}
    assert not held.overdue and held.cleared_at is not None
    assert await LedgerEntry.find({"account_id": account.id}).count() == 1
