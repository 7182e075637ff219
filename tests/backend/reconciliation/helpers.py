"""Callbacks and statements of one day, as the bank and M-PESA report them."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from backend.banking import service as banking
from backend.banking.models import StatementOrigin
from backend.banking.schemas import StatementRead
from backend.core.money import Money
from backend.core.settings import Settings
from backend.devstack.bank import Transaction, camt053
from backend.receipts import service as receipts
from backend.receipts.models import Provider, Source
from backend.receipts.schemas import ProviderReport, ReceiptRead
from tests.backend.banking.statements import DAY, transaction
from tests.factories import make_case


async def payable(amount: int = 20_000, **fields) -> Transaction:
    """A bank credit whose reference is the account of an open case (so it books)."""
    case = await make_case("negotiation", arrears=500_000)
    return transaction(amount, reference=case.account_id, **fields)


async def callback(
    paid: Transaction,
    *,
    provider: Provider = Provider.BANK,
    amount: int | None = None,
    at: datetime | None = None,
) -> ReceiptRead:
    """The provider's callback for the transaction, at 10:00 on its booking day."""
    return await receipts.receive(
        ProviderReport(
            provider=provider,
            transaction_id=paid.transaction_id,
            source=Source.CALLBACK,
            amount=Money(amount=amount if amount is not None else paid.amount),
            paid_at=at or datetime.combine(paid.booking_date, time(10), tzinfo=UTC),
            reference=paid.reference,
        )
    )


async def statement(settings: Settings, lines: list[Transaction], name: str = "S") -> StatementRead:
    """A camt.053 statement of these lines, uploaded by operator staff."""
    return await banking.import_statement(
        content=camt053(name, lines),
        filename=f"{name}.xml",
        origin=StatementOrigin.UPLOADED,
        settings=settings.bank,
    )


NEXT_DAY = DAY + timedelta(days=1)
