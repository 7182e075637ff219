from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field

from backend.commission.models import AppliedRule, EntryKind, RateRule, RecoveryType
from backend.core.money import Money
from backend.core.schemas import Day, JsonNumber, Notes, RequestModel

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
AgeDays = Annotated[int, Field(ge=0, le=36_500), JsonNumber]
BasisPoints = Annotated[int, Field(ge=0, le=10_000), JsonNumber]


class RateRuleIn(RequestModel):
    recovery_type: RecoveryType
    min_age_days: AgeDays
    max_age_days: AgeDays | None = Field(default=None, description="Inclusive; null: no limit")
    rate_bp: BasisPoints = Field(description="Basis points of the recovered amount")


class RateTableCreate(RequestModel):
    """A new version of the rates, in effect from `effective_from` (a UTC day)."""

    effective_from: Day
    rules: Annotated[list[RateRuleIn], Field(min_length=1, max_length=200)]
    cpe_fee_per_item: Money = Field(
        default_factory=Money.zero, description="Flat fee per CPE item recovered"
    )
    note: Notes | None = None


class RateTableRead(BaseModel):
    id: str
    version: int
    effective_from: date
    rules: list[RateRule]
    cpe_fee_per_item: Money
    note: str | None
    created_by: str | None
    created_at: datetime


class CommissionEntryRead(BaseModel):
    id: str
    kind: EntryKind
    drc_id: str
    case_id: str
    customer_name: str | None = Field(description="The case's customer, when the case is found")
    payment_id: str | None
    cpe_serial: str | None
    recovery_type: RecoveryType
    basis: Money | None
    amount: Money
    signed_amount: int = Field(description="Minor units; negative for a clawback")
    rule: AppliedRule | None
    reverses: str | None
    month: str
    booked_at: datetime
    note: str | None


class Balance(BaseModel):
    """An amount that may be negative, in minor units."""

    amount: int
    currency: str


class StatementTotal(BaseModel):
    currency: str
    earned: Money
    clawed_back: Money
    net: Balance


class CommissionStatement(BaseModel):
    """A DRC's commission booked in one month (UTC)."""

    drc_id: str
    month: str
    entries: list[CommissionEntryRead]
    clawbacks: list[CommissionEntryRead]
    totals: list[StatementTotal]
