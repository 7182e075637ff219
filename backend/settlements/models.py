"""Settlements: a lump sum or an instalment plan agreed with the customer."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock
from backend.core.money import Money

DEFAULT_AFTER_MISSED = 2  # missed instalments after which a plan defaults


class SettlementKind(StrEnum):
    LUMP_SUM = "lump_sum"
    INSTALMENTS = "instalments"


class SettlementSource(StrEnum):
    """Where the agreement was reached; a default sends the case back there."""

    NEGOTIATION = "negotiation"
    MEDIATION = "mediation"


class SettlementStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"  # every instalment paid
    DEFAULTED = "defaulted"  # too many instalments missed
    SUPERSEDED = "superseded"  # the case went to the mediation board instead


class InstalmentStatus(StrEnum):
    PENDING = "pending"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    MISSED = "missed"  # not paid in full by its due date (until it is)


class Instalment(BaseModel):
    number: int
    amount: Money
    due_date: date
    paid: Money
    status: InstalmentStatus = InstalmentStatus.PENDING
    paid_off_at: datetime | None = None
    missed_at: datetime | None = None

    @property
    def remaining(self) -> Money:
        return self.amount.minus(self.paid)

    def restate(self, today: date) -> None:
        """Status from what is paid: once missed, it stays missed until paid in full."""
        if self.paid.covers(self.amount):
            self.status = InstalmentStatus.PAID
        elif self.missed_at is not None or self.due_date < today:
            self.status = InstalmentStatus.MISSED
            self.missed_at = self.missed_at or clock.now()
        elif self.paid.amount > 0:
            self.status = InstalmentStatus.PARTIALLY_PAID
        else:
            self.status = InstalmentStatus.PENDING
        if self.status is InstalmentStatus.PAID:
            self.paid_off_at = self.paid_off_at or clock.now()
        else:
            self.paid_off_at = None


class InstalmentShare(BaseModel):
    """The part of one payment applied to one instalment (kept on the payment)."""

    settlement_id: str
    number: int
    amount: Money


class Settlement(Document):
    """What the customer agreed to pay and when; a lump sum is a plan of one instalment."""

    case_id: str
    drc_id: str | None
    ro_id: str | None
    kind: SettlementKind
    source: SettlementSource
    source_ref: str | None = None  # e.g. the mediation board hearing that settled it
    total: Money
    outstanding_at_agreement: Money
    discount: Money
    instalments: list[Instalment]
    status: SettlementStatus = SettlementStatus.ACTIVE
    default_after_missed: int = DEFAULT_AFTER_MISSED
    note: str | None = None
    created_by: str | None = None
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)
    completed_at: datetime | None = None
    defaulted_at: datetime | None = None
    default_reason: str | None = None
    version: int = 1

    class Settings:
        name = "settlements"
        indexes = [
            IndexModel([("case_id", ASCENDING), ("created_at", DESCENDING)]),
            IndexModel([("status", ASCENDING), ("instalments.due_date", ASCENDING)]),
        ]

    @property
    def paid(self) -> Money:
        total = Money.zero(self.total.currency)
        for instalment in self.instalments:
            total = total + instalment.paid
        return total

    @property
    def missed(self) -> int:
        return sum(1 for i in self.instalments if i.status is InstalmentStatus.MISSED)

    @property
    def misses_allowed(self) -> int:
        """A lump sum (or any plan shorter than the limit) defaults on its last miss."""
        return min(self.default_after_missed, len(self.instalments))


MODELS = (Settlement,)
