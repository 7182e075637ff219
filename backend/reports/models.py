"""The reports' own records: daily snapshots of the open book, and scheduled reports."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock
from backend.core.models import KeyedDocument


class CaseSnapshot(KeyedDocument):
    """One open case on one day: its age bucket, holder and outstanding. Written by the
    database from the cases (`cases.service.snapshot_open`); `id` is "day:case id"."""

    id: str
    day: str  # YYYY-MM-DD (UTC)
    month: str  # YYYY-MM
    case_id: str
    drc_id: str | None = None
    ro_id: str | None = None
    band: int
    currency: str
    outstanding: int

    class Settings:
        name = "case_snapshots"
        indexes = [
            IndexModel([("day", ASCENDING), ("drc_id", ASCENDING)]),
            IndexModel([("day", ASCENDING), ("ro_id", ASCENDING)]),
        ]


class SnapshotRun(KeyedDocument):
    """A day whose snapshot is complete; `id` is the day (YYYY-MM-DD)."""

    id: str
    cases: int
    written_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "case_snapshot_runs"


class ReportFormat(StrEnum):
    CSV = "csv"
    PDF = "pdf"


class Frequency(StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"


class ReportSubscription(Document):
    """A report mailed to `recipients` after each period ends, for `drc_id` (None: every
    DRC, operator staff only)."""

    report: str
    format: ReportFormat
    frequency: Frequency
    recipients: list[str]
    owner_id: str
    drc_id: str | None = None
    active: bool = True
    created_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "report_subscriptions"
        indexes = [IndexModel([("owner_id", ASCENDING)]), IndexModel([("drc_id", ASCENDING)])]


class SendStatus(StrEnum):
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class ReportSend(Document):
    """One period's mail of a subscription: at most one per (subscription, period)."""

    subscription_id: str
    period: str  # 2026-12-03, 2026-W49 or 2026-11
    status: SendStatus = SendStatus.SENDING
    attempts: int = 1
    recipients: list[str] = []
    detail: str | None = None
    started_at: datetime = Field(default_factory=clock.now)
    sent_at: datetime | None = None

    class Settings:
        name = "report_sends"
        indexes = [
            IndexModel([("subscription_id", ASCENDING), ("period", ASCENDING)], unique=True),
            IndexModel([("subscription_id", ASCENDING), ("started_at", DESCENDING)]),
        ]


MODELS = (CaseSnapshot, SnapshotRun, ReportSubscription, ReportSend)
