"""Money from a provider meets BSS's invoices: a payer's reference naming an invoice
finds its account, an amount due in the window does too, and the receipt is credited to
the open invoices oldest due first, once however often the provider reports it."""

from __future__ import annotations

import asyncio

import pytest

from backend.billing import service as billing
from backend.receipts import service as receipts
from tests.backend.billing.helpers import days_ago, put_invoice
from tests.backend.receipts.helpers import report
from tests.factories import make_account

pytestmark = pytest.mark.usefixtures("app")


async def test_an_invoice_number_as_reference_books_to_its_account(app):
    account = await make_account(arrears=0)
    await put_invoice("I1", account_id=account.id, amount="300.00", due=days_ago(40))
    await put_invoice("I2", account_id=account.id, amount="300.00", due=days_ago(10))
    paid = report(amount=45_000, reference="INV-I2")

    receipt = await receipts.receive(paid)
    await asyncio.gather(*(receipts.receive(paid) for _ in range(3)))

    assert (receipt.status, receipt.match, receipt.account_id) == ("booked", "invoice", account.id)
    assert receipt.invoice_ids == ["I1", "I2"]
    balance = await billing.account_balance(account.id)
    assert balance.owed_by_currency() == {"LKR": 15_000} and balance.days_past_due == 10


async def test_an_amount_due_in_the_window_finds_the_account(app):
    account = await make_account(arrears=0)
    await put_invoice("I1", account_id=account.id, amount="123.45", due=days_ago(1))

    receipt = await receipts.receive(report(amount=12_345))

    assert (receipt.status, receipt.match, receipt.account_id) == (
        "booked",
        "amount_window",
        account.id,
    )
    assert (await billing.account_balance(account.id)).owed_by_currency() == {}
