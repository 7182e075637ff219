"""Billing use cases: invoices by number or id, an account's open invoices, its balance,
crediting money DebtX booked, and the staff's reads of accounts, invoices and feeds.

Reach: operator staff see every account; a DRC supervisor sees an account only while
one of its cases (open or closed) is their DRC's, as they see its customer; anything
else is not found."""

from __future__ import annotations

from datetime import date

from backend.billing import balance, credits, intake, repository
from backend.billing.balance import Balance
from backend.billing.errors import BillingAccountNotFound, FeedNotFound, InvoiceNotFound
from backend.billing.models import FeedBatch, Invoice
from backend.billing.schemas import (
    BalanceRead,
    BillingAccountRead,
    FeedRead,
    FeedSummary,
    InvoiceRead,
    PaymentMethodRead,
)
from backend.cases import service as cases
from backend.core.money import Money
from backend.core.pagination import Page, object_id_cursor
from backend.customers import service as customers
from backend.users.models import User

__all__ = ["Balance", "account_balance", "balances", "credit_invoices", "find_invoice"]

credit_invoices = credits.credit_invoices
account_balance = balance.account_balance
balances = balance.balances


async def find_invoice(number_or_id: str) -> Invoice | None:
    """The invoice with this BSS id, else the one with this invoice number."""
    found = await repository.invoice(number_or_id)
    return found or await repository.invoice_by_number(number_or_id)


async def open_invoices(account_id: str) -> list[Invoice]:
    """The account's pending and overdue invoices, oldest due first."""
    return await repository.invoices_of(account_id, open_only=True)


async def accounts_with_invoice_due(amount: Money, *, start: date, end: date) -> set[str]:
    """Accounts with an open invoice of exactly `amount` due between `start` and `end`."""
    return await repository.accounts_with_open_invoice(
        amount, start=intake.midnight(start), end=intake.midnight(end)
    )


async def unapplied(account_id: str) -> list[Money]:
    """What receipts left over on the account after its open invoices, per currency."""
    totals: dict[str, int] = {}
    for credit in await repository.account_credits(account_id):
        money = credit.amount
        totals[money.currency] = totals.get(money.currency, 0) + money.amount
    return [Money(amount=v, currency=k) for k, v in sorted(totals.items())]


async def _reaches(actor: User, account_id: str) -> bool:
    if actor.is_operator:
        return True
    return any(cases.can_see(actor, c) for c in await cases.of_account(account_id))


def invoice_read(invoice: Invoice) -> InvoiceRead:
    return InvoiceRead.model_validate(
        {**invoice.model_dump(), "owed": invoice.owed, "credits": invoice.credits}
    )


async def get_invoice(*, actor: User, invoice_id: str) -> InvoiceRead:
    """One invoice, if its account is within the actor's reach."""
    invoice = await repository.invoice(invoice_id)
    if invoice is None or not await _reaches(actor, invoice.account_id):
        raise InvoiceNotFound(f"No invoice {invoice_id}")
    return invoice_read(invoice)


async def get_account(*, actor: User, account_id: str) -> BillingAccountRead:
    """An account's balance by its invoices, the invoices and its payment methods."""
    account = await customers.get_account(account_id)
    invoices = await repository.invoices_of(account_id)
    if (account is None and not invoices) or not await _reaches(actor, account_id):
        raise BillingAccountNotFound(f"No billing account {account_id}")
    found = await account_balance(account_id)
    methods = await repository.payment_methods_of(account_id)
    return BillingAccountRead(
        account_id=account_id,
        customer_id=account.customer_id if account else None,
        plan_id=account.plan_id if account else None,
        cycle_id=account.cycle_id if account else None,
        balance=BalanceRead(
            **found.model_dump(exclude={"account_id"}), unapplied=await unapplied(account_id)
        ),
        invoices=[invoice_read(i) for i in invoices],
        payment_methods=[PaymentMethodRead.model_validate(m) for m in methods],
    )


def feed_read(batch: FeedBatch) -> FeedRead:
    return FeedRead.model_validate({**batch.model_dump(), "id": str(batch.id)})


async def get_feed(feed_id: str) -> FeedRead:
    """A feed's report (operator staff)."""
    batch = await repository.feed(object_id_cursor(feed_id))
    if batch is None:
        raise FeedNotFound(f"No billing feed {feed_id}")
    return feed_read(batch)


async def list_feeds(*, cursor: str | None, limit: int) -> Page[FeedSummary]:
    """Feeds and pushes taken in, newest first (operator staff)."""
    rows = await repository.feeds(before=object_id_cursor(cursor), limit=limit + 1)
    items = [FeedSummary.model_validate({**b.model_dump(), "id": str(b.id)}) for b in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)
