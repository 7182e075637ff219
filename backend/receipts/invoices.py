"""Where receipts meet BSS invoices: the one place that asks `backend.billing`.

Three questions: whose invoice a payer's reference names, whose open invoice of exactly
an amount falls due in a window, and the credit of a receipt to an account's open
invoices (oldest due first). DebtX holds no invoices before the billing domain
(`backend.billing.service`: `find_invoice`, `open_invoices`, `credit_invoices`) is
installed, so each answers "none" here; once it is, these three bodies call it and
nothing else in receipts changes.
"""

from __future__ import annotations

from datetime import date

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core.money import Money


async def account_of_invoice(reference: str) -> str | None:
    """The account whose invoice has this number (or id), if there is one."""
    return None


async def accounts_with_invoice_due(amount: Money, *, start: date, end: date) -> set[str]:
    """Accounts with an open invoice of exactly `amount` due between `start` and `end`."""
    return set()


async def credit_invoices(
    *, account_id: str, amount: Money, receipt_id: str, session: AsyncClientSession
) -> list[str]:
    """Credit the receipt to the account's open invoices, oldest due first; the ids of the
    invoices credited (what is left over stays credit on the account)."""
    return []
