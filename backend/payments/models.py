"""Payments recorded against a case, with everything each one did, so it can be reversed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.commission.models import RecoveryType
from backend.core import clock
from backend.core.money import Money
from backend.negotiations.models import PromiseShare
from backend.settlements.models import InstalmentShare


class PaymentChannel(StrEnum):
    CASH = "cash"
    BANK = "bank"
    CARD = "card"
    MOBILE_MONEY = "mobile_money"
    OTHER = "other"


class PaymentStatus(StrEnum):
    APPLIED = "applied"
    REVERSED = "reversed"


class Reversal(BaseModel):
    at: datetime = Field(default_factory=clock.now)
    by: str
    reason: str
    restored: Money  # put back on the case's outstanding (zero when the case was closed)
    clawback_entry_id: str | None = None


class Payment(Document):
    """Money the customer paid. `applied` reduced the outstanding, `credit` is what was
    paid beyond it, `waived` the settlement discount written off when this payment
    completed the settlement."""

    case_id: str
    drc_id: str | None
    ro_id: str | None
    amount: Money
    paid_at: datetime
    channel: PaymentChannel
    reference: str  # upper-cased; unique per channel
    note: str | None = None
    recorded_by: str
    recorded_at: datetime = Field(default_factory=clock.now)
    status: PaymentStatus = PaymentStatus.APPLIED
    recovery_type: RecoveryType
    outstanding_before: Money
    applied: Money
    credit: Money
    waived: Money
    settlement_id: str | None = None
    settlement_completed: bool = False
    instalments: list[InstalmentShare] = []
    promises: list[PromiseShare] = []
    arrears_completed: bool = False
    case_closed: bool = False
    commission_entry_id: str | None = None
    reversal: Reversal | None = None
    # A reversal the case could not absorb (it was closed): operator staff follow it up.
    flagged: bool = False
    flag_reason: str | None = None
    version: int = 1

    class Settings:
        name = "payments"
        indexes = [
            IndexModel([("channel", ASCENDING), ("reference", ASCENDING)], unique=True),
            IndexModel([("case_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("flagged", ASCENDING), ("_id", DESCENDING)]),
            # the performance figures: collected in a time, a DRC's, an officer's or all
            IndexModel([("drc_id", ASCENDING), ("paid_at", ASCENDING)]),
            IndexModel([("ro_id", ASCENDING), ("paid_at", ASCENDING)]),
            IndexModel([("paid_at", ASCENDING)]),
        ]


MODELS = (Payment,)
