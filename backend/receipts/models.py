"""Money the providers report: every sighting as it came, and one receipt per transaction."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Self

from beanie import Document
from pydantic import BaseModel, Field, model_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock, pii
from backend.core.money import Money
from backend.core.pii import Pii, PiiDocument


class Provider(StrEnum):
    MPESA = "mpesa"
    BANK = "bank"
    CARD = "card"


class Source(StrEnum):
    """Where a provider record came from."""

    CALLBACK = "callback"  # a callback or webhook (STK callback, C2B confirmation, bank/card)
    STATEMENT = "statement"  # a line of an imported statement file
    STATUS_QUERY = "status_query"  # the answer to our status query (M-PESA STK query)


class ReceiptStatus(StrEnum):
    BOOKED = "booked"  # applied to a case, or booked to an account without one
    SUSPENSE = "suspense"  # nothing (or more than one thing) matched: staff decide
    REFUNDED = "refunded"  # staff sent it back to the payer


class MatchKind(StrEnum):
    """How the receipt found its account."""

    HINT = "hint"  # the initiator named the case or account (an STK push)
    REFERENCE = "reference"  # the payer's reference is the account number
    INVOICE = "invoice"  # the payer's reference is an invoice number
    PHONE = "phone"  # the paying phone is one customer's contact
    AMOUNT_WINDOW = "amount_window"  # one instalment or promise of exactly the amount was due
    MANUAL = "manual"  # staff matched it by hand


class FlagKind(StrEnum):
    AMOUNT_MISMATCH = "amount_mismatch"  # a repeat sighting gave another amount
    VELOCITY = "velocity"  # too many receipts from one phone in a short time
    OUTLIER = "outlier"  # far above what the account has paid before


class ReceiptFlag(BaseModel):
    """Something staff should look at; a flag never stops the booking."""

    kind: FlagKind
    detail: str
    at: datetime = Field(default_factory=clock.now)


class Refund(BaseModel):
    at: datetime = Field(default_factory=clock.now)
    by: str
    reason: str


class Reported(BaseModel):
    """What the provider said about the payment, as a sighting and a receipt keep it."""

    provider: Provider
    transaction_id: str
    source: Source  # a receipt keeps its first sighting's
    amount: Money
    paid_at: datetime
    reference: str | None = None
    phone: Pii | None = None  # sealed where stored; `phone_key` finds it
    phone_key: str | None = None
    payer: str | None = None
    account_hint: str | None = None
    case_hint: str | None = None
    received_at: datetime = Field(default_factory=clock.now)

    @model_validator(mode="after")
    def _keyed(self) -> Self:
        if self.phone and self.phone_key is None:
            self.phone_key = pii.index("phone", self.phone)
        return self


class ProviderRecord(Document, Reported):
    """One sighting of a provider's transaction, duplicates included, as reported."""

    receipt_id: str
    statement_id: str | None = None
    raw: PiiDocument = {}

    class Settings:
        name = "provider_records"
        bson_encoders = pii.SEALING
        indexes = [
            IndexModel([("receipt_id", ASCENDING)]),
            IndexModel([("provider", ASCENDING), ("paid_at", ASCENDING)]),
            IndexModel([("statement_id", ASCENDING)], sparse=True),
        ]


class Receipt(Document, Reported):
    """A provider's transaction, booked at most once: `_id` is `provider:transaction_id`."""

    id: str  # type: ignore[assignment]
    status: ReceiptStatus = ReceiptStatus.SUSPENSE
    match: MatchKind | None = None
    suspense_reason: str | None = None
    account_id: str | None = None
    case_id: str | None = None
    drc_id: str | None = None
    payment_id: str | None = None
    invoice_ids: list[str] = []
    flags: list[ReceiptFlag] = []
    flagged: bool = False
    sightings: int = 1
    refund: Refund | None = None
    booked_at: datetime | None = None
    version: int = 1

    class Settings:
        name = "receipts"
        bson_encoders = pii.SEALING
        indexes = [
            IndexModel([("status", ASCENDING), ("received_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("flagged", ASCENDING), ("received_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("received_at", DESCENDING), ("_id", DESCENDING)]),
            IndexModel([("phone_key", ASCENDING), ("paid_at", ASCENDING)], sparse=True),
            IndexModel([("account_id", ASCENDING), ("paid_at", DESCENDING)]),
        ]


MODELS = (ProviderRecord, Receipt)
