"""What providers report, and what the API answers about receipts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AwareDatetime, BaseModel, StringConstraints, field_validator

from backend.core.money import Money
from backend.core.schemas import ACCOUNT_NUMBER, Reason, RequestModel
from backend.receipts.models import (
    MatchKind,
    Provider,
    ReceiptFlag,
    ReceiptStatus,
    Refund,
    Source,
)

# The provider's own id, as it appears in `/receipts/{provider}:{transaction_id}` (no `/`)
TransactionId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{2,63}$")]
Reference = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+[1-9][0-9]{6,14}$")]
AccountRef = Annotated[str, StringConstraints(pattern=ACCOUNT_NUMBER)]
CaseRef = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]


class ProviderReport(BaseModel):
    """What a provider says was paid, as one record."""

    provider: Provider
    transaction_id: TransactionId  # the provider's own id (receipt number, bank ref, charge id)
    source: Source
    amount: Money  # integer minor units + currency
    paid_at: AwareDatetime
    reference: Reference | None = None  # account or invoice number as the payer gave it
    phone: Phone | None = None  # E.164 when the provider gives one
    payer: Annotated[str, StringConstraints(max_length=200)] | None = None
    account_hint: AccountRef | None = None  # an account the initiator already knows
    case_hint: CaseRef | None = None  # a case the initiator already knows
    statement_id: Annotated[str, StringConstraints(max_length=100)] | None = None
    raw: dict[str, Any] = {}  # the provider's fields as received, without credentials

    @field_validator("amount")
    @classmethod
    def _paid_something(cls, amount: Money) -> Money:
        if amount.amount <= 0:
            raise ValueError("a payment's amount is above zero")
        return amount

    @property
    def receipt_id(self) -> str:
        return f"{self.provider.value}:{self.transaction_id}"


class ReceiptMatch(RequestModel):
    """Staff match a suspense receipt: an account (its open case is found), a case, or both
    (the case must be the account's)."""

    account_id: AccountRef | None = None
    case_id: CaseRef | None = None


class ReceiptRefund(RequestModel):
    reason: Reason


class ReceiptRead(BaseModel):
    id: str
    provider: Provider
    transaction_id: str
    source: Source
    amount: Money
    paid_at: datetime
    reference: str | None
    phone: str | None
    payer: str | None
    status: ReceiptStatus
    match: MatchKind | None
    suspense_reason: str | None
    account_id: str | None
    case_id: str | None
    payment_id: str | None
    invoice_ids: list[str]
    flags: list[ReceiptFlag]
    flagged: bool
    sightings: int
    refund: Refund | None
    received_at: datetime
    booked_at: datetime | None


class SightingRead(BaseModel):
    """One report of the receipt's transaction, as the provider sent it."""

    id: str
    source: Source
    amount: Money
    paid_at: datetime
    reference: str | None
    phone: str | None
    payer: str | None
    statement_id: str | None
    raw: dict[str, Any]
    received_at: datetime
