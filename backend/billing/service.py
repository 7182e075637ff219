"""Billing use cases other domains call: invoices by number or id, an account's open
invoices, its balance, and crediting money DebtX booked."""

from __future__ import annotations

from backend.billing import balance, credits, repository
from backend.billing.balance import Balance
from backend.billing.models import Invoice
from backend.core.money import Money

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


async def unapplied(account_id: str) -> list[Money]:
    """What receipts left over on the account after its open invoices, per currency."""
    totals: dict[str, int] = {}
    for credit in await repository.account_credits(account_id):
        totals[credit.amount.currency] = (
            totals.get(credit.amount.currency, 0) + credit.amount.amount
        )
    return [Money(amount=v, currency=k) for k, v in sorted(totals.items())]
