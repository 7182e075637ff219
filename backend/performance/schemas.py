"""The performance figures the dashboard draws, as the API answers them."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from backend.cases.schemas import PhaseCounts
from backend.core.money import Money

__all__ = ["AgeBand", "Aging", "MonthRecovery", "PerformanceRow", "PhaseCounts", "Recovery"]


class MonthRecovery(BaseModel):
    """One calendar month (UTC) of recovery."""

    month: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2026-12"])
    collected: Money  # applied payments (not reversed) paid in the month
    placed: Money  # arrears of the cases opened in the month
    # everything collected by the month's end over every arrears placed by then
    recovery_rate_bp: int = Field(ge=0, description="Basis points: 2500 is 25%")


class Recovery(BaseModel):
    """Amounts recovered and the recovery rate, month by month, oldest first."""

    since: datetime
    months: list[MonthRecovery]


class PerformanceRow(BaseModel):
    """One officer's or one DRC's work: cases held now, and what was done since `since`."""

    id: str
    name: str
    cases_held: int  # open cases
    contacts: int
    promises_kept: int
    promises_broken: int
    collected: Money


class Performance(BaseModel):
    """Officers' (or DRCs') rows, most collected first."""

    since: datetime
    rows: list[PerformanceRow]


class AgeBand(BaseModel):
    """Open cases whose arrears are overdue between `min_days` and `max_days` days."""

    min_days: int
    max_days: int | None  # None: no upper bound
    cases: int
    outstanding: Money


class Aging(BaseModel):
    """The open cases by how long their arrears have been overdue, youngest first."""

    bands: list[AgeBand]
    total: int
