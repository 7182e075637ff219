"""Billing and payment disputes: a customer says a bill or a payment is wrong, staff
investigate and resolve it. Collection contact is held while any is unresolved."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock
from backend.core.money import Money


class DisputeKind(StrEnum):
    INCORRECT_CHARGE = "incorrect_charge"
    PAYMENT_NOT_CREDITED = "payment_not_credited"
    DUPLICATE_CHARGE = "duplicate_charge"
    REFUND_REQUEST = "refund_request"


class DisputeStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"


class DisputeOutcome(StrEnum):
    CREDIT = "credit"  # BSS issues a credit note for `amount` (DebtX does not bill)
    REFUND = "refund"  # the money goes back: the payment reversed or the receipt refunded
    CORRECT = "correct"  # the record was put right (the note says how)
    REJECTED = "rejected"  # the customer's claim does not stand (the note says why)


class DisputeResolution(BaseModel):
    """How a dispute ended and what followed from it."""

    outcome: DisputeOutcome
    amount: Money | None = None
    note: str
    by: str
    at: datetime = Field(default_factory=clock.now)
    # what DebtX did or asks of others: a payment reversed, a receipt refunded, a credit
    # note BSS is to issue
    reversed_payment_id: str | None = None
    refunded_receipt_id: str | None = None
    credit_note_requested: bool = False


class BillingDispute(Document):
    """One dispute of a bill or payment on an account, optionally naming the invoice, the
    payment or the provider receipt it is about."""

    kind: DisputeKind
    status: DisputeStatus = DisputeStatus.OPEN
    account_id: str
    customer_id: str
    invoice_id: str | None = None
    payment_id: str | None = None
    receipt_id: str | None = None
    amount: Money | None = None  # what the customer says is wrong, when they say
    description: str
    # the account's case when raised, so its DRC and officer see the dispute
    case_id: str | None = None
    drc_id: str | None = None
    ro_id: str | None = None
    raised_by: str
    raised_at: datetime = Field(default_factory=clock.now)
    investigated_by: str | None = None
    investigated_at: datetime | None = None
    resolution: DisputeResolution | None = None
    version: int = 1
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "disputes"
        indexes = [
            IndexModel([("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("customer_id", ASCENDING), ("status", ASCENDING)]),
            IndexModel([("account_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("drc_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("ro_id", ASCENDING), ("_id", DESCENDING)]),
        ]


MODELS = (BillingDispute,)
