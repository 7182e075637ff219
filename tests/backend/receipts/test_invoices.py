"""Receipts and BSS invoices: an invoice number as the payer's reference finds the
account, an account without an open case is credited on its open invoices (oldest due
first), and an invoice of exactly the amount due near the day is a candidate."""

from __future__ import annotations

from backend.billing import service as billing
from backend.core.money import Money
from backend.payments.models import Payment
from backend.receipts import service as receipts
from backend.receipts.models import MatchKind, ReceiptStatus
from tests.backend.billing.helpers import days_ago, put_invoice
from tests.backend.payments.helpers import reload
from tests.backend.receipts.helpers import open_case, report
from tests.factories import make_account


async def test_an_invoice_number_books_to_its_account_s_invoices():
    account = await make_account()
    await put_invoice("I-OLD", account_id=account.id, amount="60.00", due=days_ago(40))
    await put_invoice("I-NEW", account_id=account.id, amount="80.00", due=days_ago(10))
    booked = await receipts.receive(report(10_000, reference="INV-I-NEW"))
    assert booked.status is ReceiptStatus.BOOKED and booked.match is MatchKind.INVOICE
    assert booked.account_id == account.id and booked.case_id is None
    assert booked.invoice_ids == ["I-OLD", "I-NEW"]  # oldest due first
    old, new = await billing.find_invoice("I-OLD"), await billing.find_invoice("I-NEW")
    assert old is not None and old.owed == Money(amount=0)
    assert new is not None and new.owed == Money(amount=4_000)


async def test_an_invoice_of_an_account_with_an_open_case_pays_the_case():
    case = await open_case(50_000)
    await put_invoice("I-C", account_id=case.account_id, amount="500.00", due=days_ago(5))
    booked = await receipts.receive(report(10_000, reference="INV-I-C"))
    assert booked.match is MatchKind.INVOICE and booked.case_id == str(case.id)
    assert booked.invoice_ids == [] and await Payment.find({"case_id": str(case.id)}).count() == 1
    assert (await reload(case)).outstanding == Money(amount=40_000)


async def test_an_invoice_of_exactly_the_amount_due_near_the_day_matches():
    account = await make_account()
    await put_invoice("I-W", account_id=account.id, amount="123.45", due=days_ago(2))
    await put_invoice("I-X", account_id="ACC-OTHER", amount="123.45", due=days_ago(60))
    booked = await receipts.receive(report(12_345))
    assert booked.match is MatchKind.AMOUNT_WINDOW and booked.account_id == account.id
    assert booked.invoice_ids == ["I-W"]


async def test_a_repeat_credits_the_invoices_once():
    account = await make_account()
    await put_invoice("I-R", account_id=account.id, amount="500.00", due=days_ago(5))
    sent = report(10_000, reference="INV-I-R")
    for _ in range(3):
        await receipts.receive(sent)
    invoice = await billing.find_invoice("I-R")
    assert invoice is not None and invoice.owed == Money(amount=40_000)
