"""Money DebtX booked, allocated to an account's open invoices oldest due first.

Each invoice is credited in one conditional write (still open, still credited as read,
not yet credited by this receipt), so a receipt credits an invoice at most once even
when delivered twice at the same time; what is left over is credit on the account,
stored once per receipt. Crediting a receipt again changes nothing and returns what it
credited the first time (and finishes what an interrupted first time left undone)."""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.billing import repository
from backend.billing.models import AccountCredit, Invoice, InvoiceCredit
from backend.core import clock, db
from backend.core.logging import get_logger
from backend.core.money import Money

log = get_logger(__name__)
_TRIES = 8


async def credit_invoices(
    *,
    account_id: str,
    amount: Money,
    receipt_id: str,
    session: AsyncClientSession | None = None,
) -> list[InvoiceCredit]:
    """Allocate `amount` to the account's open invoices in its currency, oldest due first;
    the rest stays on the account. Idempotent per `receipt_id`."""
    credits = await repository.credits_of_receipt(receipt_id, session=session)
    if await repository.account_credit(receipt_id, session=session) is not None:
        return credits
    left = amount.amount - sum(c.amount.amount for c in credits)
    done = {c.invoice_id for c in credits}
    for invoice in await repository.invoices_of(account_id, open_only=True, session=session):
        if left <= 0:
            break
        if invoice.id in done or invoice.amount.currency != amount.currency:
            continue
        credit = await _credit_one(invoice, receipt_id, left, session)
        if credit is not None:
            credits.append(credit)
            left -= credit.amount.amount
    if left > 0:
        rest = AccountCredit(
            id=receipt_id,
            account_id=account_id,
            amount=Money(amount=left, currency=amount.currency),
        )
        await repository.leave_on_account(rest, session=session)
    log.info("billing.credited", receipt_id=receipt_id, invoices=len(credits), left=left)
    return credits


def _already(invoice: Invoice, receipt_id: str) -> InvoiceCredit | None:
    return next((c for c in invoice.credits if c.receipt_id == receipt_id), None)


async def _credit_one(
    invoice: Invoice, receipt_id: str, left: int, session: AsyncClientSession | None
) -> InvoiceCredit | None:
    """Credit up to `left` on one invoice; re-read and try again when it changed meanwhile."""
    current: Invoice | None = invoice
    for _ in range(_TRIES):
        if current is None or not current.is_open:
            return None
        if (existing := _already(current, receipt_id)) is not None:
            return existing
        take = min(left, current.owed.amount)
        if take <= 0:
            return None
        credit = InvoiceCredit(
            receipt_id=receipt_id,
            invoice_id=current.id,
            amount=Money(amount=take, currency=current.amount.currency),
            credited_at=clock.now(),
        )
        if await repository.add_credit(current, credit, session=session):
            return credit
        current = await repository.invoice(current.id, session=session)
    raise db.WriteConflict(f"Invoice {invoice.id} kept changing while being credited; retry")
