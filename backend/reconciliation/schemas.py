from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel

from backend.core.schemas import Day as CalendarDay
from backend.reconciliation.models import BalanceDifference, ProviderSection

MONTH_PATTERN = r"^[0-9]{4}-(0[1-9]|1[0-2])$"
Day = Annotated[CalendarDay, Path(description="The day reconciled (UTC), YYYY-MM-DD")]
Month = Annotated[str, Path(pattern=MONTH_PATTERN, description="YYYY-MM")]


class Totals(BaseModel):
    transactions: int = 0
    matched: int = 0
    missing: int = 0
    duplicated: int = 0
    amount_mismatches: int = 0
    timing_differences: int = 0
    suspense: int = 0
    invoice_differences: int = 0


class ReportRead(BaseModel):
    """One day's reconciliation: per provider, what matched and every exception."""

    day: date
    generated_at: datetime
    generated_by: str | None
    totals: Totals
    providers: list[ProviderSection]


class ReportSummary(BaseModel):
    day: date
    generated_at: datetime
    totals: Totals


class VerificationRead(BaseModel):
    """The month's account balance verification: the accounts whose DebtX balance differs
    from BSS's latest figures."""

    month: str
    generated_at: datetime
    generated_by: str | None
    accounts_checked: int
    truncated: bool
    differing: list[BalanceDifference]
