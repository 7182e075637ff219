"""Yesterday's bank transfers for the demo: the bank's notifications for most of them,
then its camt.053 statement uploaded by operator staff (one transfer with no
notification, one line twice, one reference nobody holds), then the day reconciled, so
the console's reconciliation page has a report to show."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from backend.banking import notifications
from backend.banking import service as banking
from backend.banking.models import StatementOrigin
from backend.banking.schemas import BankNotification
from backend.core.money import major_text
from backend.core.settings import get_settings
from backend.customers import service as customers
from backend.devstack.bank import Transaction, camt053
from backend.devstack.demo.work import Work
from backend.receipts import service as receipts
from backend.reconciliation import service as reconciliation

TRANSFERS = 6


async def _transfers(work: Work) -> list[Transaction]:
    yesterday = work.today - timedelta(days=1)
    ids: list[str] = await anext(customers.account_id_batches(size=TRANSFERS - 1), [])
    references = [*ids, "NO-SUCH-ACCOUNT"]
    return [
        Transaction(
            transaction_id=f"FT{yesterday:%y%m%d}{n:05d}",
            amount=work.rng.choice((50_000, 75_000, 120_000)),  # a part of what is owed
            booking_date=yesterday,
            reference=reference,
            counterparty=f"Demo payer {n}",
        )
        for n, reference in enumerate(references, start=1)
    ]


async def _notify(paid: Transaction) -> None:
    """The bank's notification, as its webhook would bring it (verified by the route)."""
    note = BankNotification(
        notification_id=f"N-{paid.transaction_id}",
        transaction_id=paid.transaction_id,
        amount=str(major_text(paid.amount)),
        currency=paid.currency,
        credit_debit="CRDT",
        booked_at=datetime.combine(paid.booking_date, time(9, 30), tzinfo=UTC),
        reference=paid.reference,
        counterparty=paid.counterparty,
    )
    await receipts.receive(notifications.report_of(note))


async def bank_day(work: Work) -> None:
    """Yesterday's transfers notified, its statement imported, the day reconciled."""
    transfers = await _transfers(work)
    for paid in [*transfers[:-2], transfers[-1]]:  # the last but one: the statement only
        await _notify(paid)
    settings = get_settings().bank
    content = camt053(f"DEMO-{transfers[0].booking_date}", [*transfers, transfers[0]])
    await banking.import_statement(
        content=content,
        filename="demo-camt053.xml",
        origin=StatementOrigin.UPLOADED,
        settings=settings,
        actor=work.operator,
    )
    await reconciliation.run_daily(
        day=transfers[0].booking_date, settings=settings, actor=work.operator
    )
