"""An account's balance by its invoices, and money credited to them oldest due first."""

from __future__ import annotations

import asyncio

from backend.billing import service as billing
from backend.core.money import Money
from tests.backend.billing.helpers import T0, days_ago, put_invoice

pytestmark = __import__("pytest").mark.usefixtures("app")


def lkr(major: int) -> Money:
    return Money(amount=major * 100)


async def test_balance_sums_open_invoices_less_partial_credits():
    await put_invoice("I1", amount="1000.00", due=days_ago(40), status="overdue")
    await put_invoice("I2", amount="500.00", due=days_ago(10))
    await put_invoice("I3", amount="300.00", due=days_ago(-20))
    await put_invoice("I4", amount="999.00", due=days_ago(90), status="paid")
    await put_invoice("I5", amount="50.00", due=days_ago(5), currency="USD")

    credits = await billing.credit_invoices(account_id="ACC-1", amount=lkr(1200), receipt_id="R1")

    assert [(c.invoice_id, c.amount.amount) for c in credits] == [("I1", 100_000), ("I2", 20_000)]
    balance = await billing.account_balance("ACC-1")
    assert balance.owed_by_currency() == {"LKR": 30_000 + 30_000, "USD": 5_000}
    assert balance.arrears_by_currency() == {"LKR": 30_000, "USD": 5_000}
    assert balance.days_past_due == 10
    assert balance.unpaid_count == 3
    assert balance.invoice_count == 5


async def test_the_same_receipt_credited_twice_changes_nothing():
    await put_invoice("I1", amount="100.00", due=days_ago(30))
    await put_invoice("I2", amount="100.00", due=days_ago(20))

    first = await billing.credit_invoices(account_id="ACC-1", amount=lkr(150), receipt_id="R1")
    again = await asyncio.gather(
        *(
            billing.credit_invoices(account_id="ACC-1", amount=lkr(150), receipt_id="R1")
            for _ in range(3)
        )
    )

    assert all(sorted(c.invoice_id for c in a) == ["I1", "I2"] for a in again)
    assert sum(c.amount.amount for c in first) == 15_000
    assert (await billing.account_balance("ACC-1")).owed_by_currency() == {"LKR": 5_000}


async def test_concurrent_receipts_never_over_credit_an_invoice():
    await put_invoice("I1", amount="100.00", due=days_ago(30))

    await asyncio.gather(
        *(
            billing.credit_invoices(account_id="ACC-1", amount=lkr(60), receipt_id=f"R{n}")
            for n in range(4)
        )
    )

    invoice = await billing.find_invoice("I1")
    assert invoice is not None and invoice.credited.amount == 10_000
    assert (await billing.account_balance("ACC-1")).owed_by_currency() == {}


async def test_a_remainder_stays_on_the_account_once():
    await put_invoice("I1", amount="100.00", due=days_ago(3))

    await billing.credit_invoices(account_id="ACC-1", amount=lkr(130), receipt_id="R1")
    await billing.credit_invoices(account_id="ACC-1", amount=lkr(130), receipt_id="R1")

    assert await billing.unapplied("ACC-1") == [lkr(30)]


async def test_paid_by_bss_the_credit_stops_counting():
    await put_invoice("I1", amount="100.00", due=days_ago(30), status="overdue")
    await put_invoice("I2", amount="100.00", due=days_ago(5))
    await billing.credit_invoices(account_id="ACC-1", amount=lkr(40), receipt_id="R1")
    assert (await billing.account_balance("ACC-1")).owed_by_currency() == {"LKR": 16_000}

    later = T0.replace(day=2)
    await put_invoice("I1", amount="100.00", due=days_ago(30), status="paid", updated=later)

    balance = await billing.account_balance("ACC-1")
    assert balance.owed_by_currency() == {"LKR": 10_000}
    assert balance.days_past_due == 5
    assert [i.id for i in await billing.open_invoices("ACC-1")] == ["I2"]


async def test_invoices_are_found_by_id_or_number():
    await put_invoice("I1")
    assert (await billing.find_invoice("I1")).number == "INV-I1"
    assert (await billing.find_invoice("INV-I1")).id == "I1"
    assert await billing.find_invoice("nope") is None


async def test_accounts_with_an_open_invoice_of_an_amount_due_in_a_window():
    await put_invoice("I1", account_id="ACC-1", amount="120.00", due=days_ago(3))
    await put_invoice("I2", account_id="ACC-2", amount="120.00", due=days_ago(30))
    await put_invoice("I3", account_id="ACC-3", amount="120.00", due=days_ago(2), status="paid")
    await put_invoice("I4", account_id="ACC-4", amount="121.00", due=days_ago(2))

    found = await billing.accounts_with_invoice_due(lkr(120), start=days_ago(7), end=days_ago(0))

    assert found == {"ACC-1"}


async def test_a_credit_inside_an_aborted_transaction_leaves_nothing():
    from backend.core import db

    await put_invoice("I1", amount="100.00", due=days_ago(3))
    try:
        async with db.transaction() as txn:
            await billing.credit_invoices(
                account_id="ACC-1", amount=lkr(150), receipt_id="R1", session=txn
            )
            raise RuntimeError("the booking failed after the credit")
    except RuntimeError:
        pass
    assert (await billing.account_balance("ACC-1")).owed_by_currency() == {"LKR": 10_000}
    assert await billing.unapplied("ACC-1") == []

    async with db.transaction() as txn:
        await billing.credit_invoices(
            account_id="ACC-1", amount=lkr(150), receipt_id="R1", session=txn
        )
    assert (await billing.account_balance("ACC-1")).owed_by_currency() == {}
    assert await billing.unapplied("ACC-1") == [lkr(50)]
