"""Where receipts meet BSS invoices: the one place that asks `backend.billing`.

Three questions: whose invoice a payer's reference names, whose open invoice of exactly
an amount falls due in a window, and the credit of a receipt to an account's open
invoices (oldest due first; what is left over stays credit on the account).
"""

from __future__ import annotations

from datetime import date

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.billing import service as billing
from backend.core.money import Money


async def account_of_invoice(reference: str) -> str | None:
    """The account whose invoice has this number (or BSS id), if there is one."""
    invoice = await billing.find_invoice(reference)
    return None if invoice is None else invoice.account_id


async def accounts_with_invoice_due(amount: Money, *, start: date, end: date) -> set[str]:
    """Accounts with an open invoice of exactly `amount` due between `start` and `end`."""
    return await billing.accounts_with_invoice_due(amount, start=start, end=end)


async def credit_invoices(
    *, account_id: str, amount: Money, receipt_id: str, session: AsyncClientSession
) -> list[str]:
    """Credit the receipt to the account's open invoices, oldest due first; the ids of the
    invoices credited."""
    credits = await billing.credit_invoices(
        account_id=account_id, amount=amount, receipt_id=receipt_id, session=session
    )
    return [c.invoice_id for c in credits]
