"""STK push requests DebtX sent to M-PESA, and the STK callbacks Daraja sent back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from backend.core import clock, pii
from backend.core.money import Money
from backend.core.pii import Pii, PiiDocument


class StkStatus(StrEnum):
    QUEUED = "queued"  # stored, not yet sent to Daraja (an officer's mutation)
    PENDING = "pending"  # Daraja prompted the customer's phone; the answer is to come
    PAID = "paid"
    CANCELLED = "cancelled"  # 1032: the customer declined the prompt
    TIMED_OUT = "timed_out"  # 1037, or nothing heard by the give-up time
    WRONG_PIN = "wrong_pin"  # 2001
    FAILED = "failed"  # Daraja refused the push, or another result code


class Booking(BaseModel):
    """What M-PESA said was paid, kept on the request until receipts has booked it."""

    transaction_id: str  # MpesaReceiptNumber; the CheckoutRequestID when a query found it
    source: str  # receipts' Source: callback or status_query
    amount: Money
    paid_at: datetime
    phone: Pii | None = None
    raw: PiiDocument = {}


class StkRequest(Document):
    """One STK push: DebtX asks M-PESA to prompt the customer's phone for a payment."""

    id: str  # type: ignore[assignment]  # "sync:<client>:<mutation>" or "api:<object id>"
    case_id: str | None = None
    account_id: str
    drc_id: str | None = None
    phone: Pii  # E.164, +2547...; sealed where stored
    amount: Money
    reference: str  # AccountReference shown on the customer's phone
    requested_by: str
    status: StkStatus = StkStatus.QUEUED
    merchant_request_id: str | None = None
    checkout_request_id: str | None = None
    result_code: str | None = None
    result_desc: str | None = None
    booking: Booking | None = None
    receipt_id: str | None = None
    late_receipt: str | None = None  # a receipt number heard after a query had booked it
    claim: str | None = None  # the process sending it now
    claimed_at: datetime | None = None
    queried_at: datetime | None = None
    created_at: datetime = Field(default_factory=clock.now)
    sent_at: datetime | None = None
    closed_at: datetime | None = None

    class Settings:
        name = "stk_requests"
        bson_encoders = pii.SEALING
        indexes = [
            IndexModel([("checkout_request_id", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("created_at", ASCENDING)]),
            IndexModel([("case_id", ASCENDING), ("created_at", ASCENDING)]),
        ]


class StkCallback(Document):
    """Every STK callback Daraja sent, as received (one may come before its request's
    CheckoutRequestID is stored, and is applied once it is)."""

    checkout_request_id: str
    result_code: str
    body: PiiDocument  # the payer's phone is in it
    applied: bool = False
    received_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "stk_callbacks"
        bson_encoders = pii.SEALING
        indexes = [IndexModel([("checkout_request_id", ASCENDING), ("applied", ASCENDING)])]


MODELS = (StkRequest, StkCallback)
