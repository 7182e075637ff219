"""The reports as the API answers them: a table of columns and rows, with its chart."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from backend.reports.models import Frequency, ReportFormat, SendStatus
from backend.users.schemas import DRC_ID_PATTERN, Email


class ReportName(StrEnum):
    """Every report; each has its builder in the registry (backend/reports/registry.py)."""

    AGING = "aging"
    AGING_DETAIL = "aging-detail"
    ROLL_RATES = "roll-rates"
    RECOVERY = "recovery"
    PROMISES = "promises"
    CONTACTS = "contacts"
    CPE = "cpe"
    SEGMENTS = "segments"
    STRATEGIES = "strategies"
    PAYMENT_TRENDS = "payment-trends"
    COMMISSION = "commission"
    RECONCILIATION = "reconciliation"


class Period(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


ColumnKind = Literal["text", "count", "money", "rate"]


class Column(BaseModel):
    """One column: `money` cells are minor units in the row's `currency`; `rate` cells
    basis points (2500 is 25%)."""

    key: str
    title: str
    kind: ColumnKind


class Chart(BaseModel):
    """What the PDF (and the console) draws: `values` columns against `label`."""

    kind: Literal["bar", "line"]
    label: str
    values: list[str]


class ReportFilters(BaseModel):
    """The window (both days inclusive, UTC), one DRC, and the payment trends' period."""

    model_config = ConfigDict(populate_by_name=True)

    from_day: date = Field(alias="from")
    to_day: date = Field(alias="to")
    drc_id: str | None = Field(default=None, pattern=DRC_ID_PATTERN)
    period: Period = Period.MONTH


Cell = str | int | None


class ReportTable(BaseModel):
    """One report's figures."""

    name: ReportName
    title: str
    description: str
    generated_at: datetime
    filters: ReportFilters
    columns: list[Column]
    rows: list[dict[str, Cell]]
    chart: Chart | None = None


class ReportInfo(BaseModel):
    name: ReportName
    title: str
    description: str
    operator_only: bool


class ReportList(BaseModel):
    reports: list[ReportInfo]


class SubscriptionCreate(BaseModel):
    """A report mailed after each day, week (Monday to Sunday) or month ends."""

    model_config = ConfigDict(extra="forbid")

    report: ReportName
    format: ReportFormat = ReportFormat.PDF
    frequency: Frequency
    recipients: list[Email] = Field(min_length=1, max_length=20)
    drc_id: str | None = Field(default=None, pattern=DRC_ID_PATTERN)


class SubscriptionRead(BaseModel):
    id: str
    report: ReportName
    format: ReportFormat
    frequency: Frequency
    recipients: list[str]
    owner_id: str
    drc_id: str | None
    active: bool
    created_at: datetime


class SendRead(BaseModel):
    id: str
    subscription_id: str
    period: str
    status: SendStatus
    attempts: int
    recipients: list[str]
    detail: str | None
    started_at: datetime
    sent_at: datetime | None
