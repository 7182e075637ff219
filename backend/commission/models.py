"""Commission: versioned rate tables, and the entries payments earn and reversals claw back."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock
from backend.core.money import Money


class RecoveryType(StrEnum):
    """How the money (or equipment) came back; each earns at its own rates."""

    FULL_SETTLEMENT = "full_settlement"  # a lump-sum settlement
    INSTALMENT = "instalment"  # an instalment plan
    PROMISE_PAYMENT = "promise_payment"  # paid against an open promise to pay
    MEDIATION_SETTLEMENT = "mediation_settlement"  # a settlement the mediation board agreed
    DIRECT_PAYMENT = "direct_payment"  # paid with no settlement or promise in place
    CPE = "cpe"  # equipment recovered: a flat fee per item, not a rate


PAYMENT_TYPES = tuple(t for t in RecoveryType if t is not RecoveryType.CPE)


class RateRule(BaseModel):
    """`rate_bp` basis points for one recovery type in one arrears age band (days,
    inclusive; `max_age_days` null is open-ended)."""

    recovery_type: RecoveryType
    min_age_days: int
    max_age_days: int | None
    rate_bp: int

    def matches(self, recovery_type: RecoveryType, age_days: int) -> bool:
        return (
            self.recovery_type is recovery_type
            and self.min_age_days <= age_days
            and (self.max_age_days is None or age_days <= self.max_age_days)
        )


class CommissionRateTable(Document):
    """One version of the rates; never changed. A payment uses the newest version in
    effect on the day it was paid."""

    version: int
    effective_from: date
    rules: list[RateRule]
    cpe_fee_per_item: Money
    note: str | None = None
    created_by: str | None = None
    created_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "commission_rate_tables"
        indexes = [
            IndexModel([("version", ASCENDING)], unique=True),
            IndexModel([("effective_from", DESCENDING), ("version", DESCENDING)]),
        ]


class EntryKind(StrEnum):
    EARNING = "earning"
    CLAWBACK = "clawback"  # the negative of an earning whose payment was reversed


class AppliedRule(BaseModel):
    """The rule an entry was computed with, kept so the entry explains itself."""

    table_id: str
    table_version: int
    recovery_type: RecoveryType
    age_days: int
    min_age_days: int | None = None
    max_age_days: int | None = None
    rate_bp: int | None = None  # None for the CPE flat fee


class CommissionEntry(Document):
    """One line of a DRC's commission. `amount` is never negative: a clawback subtracts."""

    key: str  # what earned it, so nothing earns or is clawed back twice
    drc_id: str
    case_id: str
    payment_id: str | None = None
    cpe_serial: str | None = None
    kind: EntryKind
    recovery_type: RecoveryType
    basis: Money | None = None  # the recovered amount the rate applied to
    amount: Money
    rule: AppliedRule | None = None
    reverses: str | None = None  # the earning a clawback undoes
    month: str  # YYYY-MM (UTC) it is booked in
    booked_at: datetime = Field(default_factory=clock.now)
    note: str | None = None

    class Settings:
        name = "commission_entries"
        indexes = [
            IndexModel([("key", ASCENDING)], unique=True),
            IndexModel([("drc_id", ASCENDING), ("month", ASCENDING), ("_id", ASCENDING)]),
            IndexModel([("payment_id", ASCENDING)]),
        ]

    @property
    def signed_amount(self) -> int:
        return self.amount.amount if self.kind is EntryKind.EARNING else -self.amount.amount


MODELS = (CommissionRateTable, CommissionEntry)
