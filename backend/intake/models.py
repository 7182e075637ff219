from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.cases.models import Action
from backend.core import clock
from backend.core.money import Money


class IncidentSource(StrEnum):
    MANUAL = "manual"  # registered one at a time by operator staff
    BULK_FILE = "bulk_file"  # uploaded CSV or JSON Lines
    DATA_LAKE = "data_lake"  # a file from the data lake's drop folder


class Incident(Document):
    """A request to recover arrears and/or CPE for one account; it opens one case."""

    source: IncidentSource
    external_ref: str
    action: Action
    account_id: str
    customer_id: str
    customer_name: str
    product_ids: list[str]
    arrears: Money
    overdue_since: datetime  # midnight UTC of the date given
    case_id: str | None = None
    created_by: str | None = None
    batch_id: str | None = None
    row: int | None = None
    created_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "incidents"
        indexes = [
            IndexModel([("source", ASCENDING), ("external_ref", ASCENDING)], unique=True),
            IndexModel([("batch_id", ASCENDING), ("account_id", ASCENDING)]),
            IndexModel([("customer_id", ASCENDING)]),
        ]


class BatchStatus(StrEnum):
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"  # stopped part-way; committed chunks stay, a re-upload completes it


class RowProblem(BaseModel):
    """Why a row was not taken (or, for duplicates, what it duplicates)."""

    row: int
    field: str | None = None
    reason: str


class IncidentBatch(Document):
    """One bulk file imported: its fingerprint, counts, and a capped list of problems."""

    source: IncidentSource
    filename: str | None = None
    format: str
    sha256: str | None = None
    size_bytes: int = 0
    status: BatchStatus = BatchStatus.RUNNING
    expected_rows: int | None = None  # known when the file was read ahead of the import
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    incidents_created: int = 0
    problems: list[RowProblem] = []
    problems_omitted: int = 0
    duplicate_rows: list[RowProblem] = []
    duplicate_rows_omitted: int = 0
    same_as: str | None = None  # an earlier batch with the same content
    error: str | None = None
    created_by: str | None = None
    started_at: datetime = Field(default_factory=clock.now)
    finished_at: datetime | None = None

    class Settings:
        name = "incident_batches"
        indexes = [
            IndexModel([("sha256", ASCENDING)]),
            IndexModel([("started_at", DESCENDING)]),
        ]


MODELS = (Incident, IncidentBatch)
