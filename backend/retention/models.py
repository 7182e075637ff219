"""What retention keeps: closed cases moved out of the live collections (with the records
kept beside them), and a record of every run."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import Document, PydanticObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock
from backend.core.money import Money


class ArchivedCase(Document):
    """A closed case as it was stored, with every record kept beside it (negotiations,
    promises, settlements, equipment and board files, requests), under the case's id.

    The top-level fields repeat the case's, for the archive's reads and the reports."""

    id: PydanticObjectId  # type: ignore[assignment]  # the case's own id
    customer_id: str
    account_id: str
    drc_id: str | None = None
    ro_id: str | None = None
    outcome: str | None = None
    arrears: Money
    outstanding: Money
    closed_at: datetime
    archived_at: datetime = Field(default_factory=clock.now)
    case: dict[str, Any]
    records: dict[str, list[dict[str, Any]]] = {}

    class Settings:
        name = "cases_archive"
        indexes = [
            IndexModel([("customer_id", ASCENDING)]),
            IndexModel([("account_id", ASCENDING)]),
            IndexModel([("drc_id", ASCENDING), ("closed_at", ASCENDING)]),
            IndexModel([("closed_at", ASCENDING)]),
        ]


class RunPart(BaseModel):
    """What one part of a run did (or, in a dry run, would do)."""

    count: int = 0
    sample: list[str] = []  # some of the ids concerned, the first ones met


class RetentionRun(Document):
    """One retention run: its limits, what each part did, and when."""

    dry_run: bool
    actor_uid: str | None = None
    cutoffs: dict[str, datetime]
    archived_cases: RunPart = RunPart()
    minimised_customers: RunPart = RunPart()
    pruned_changes: RunPart = RunPart()
    pruned_deliveries: RunPart = RunPart()
    started_at: datetime = Field(default_factory=clock.now)
    finished_at: datetime | None = None

    class Settings:
        name = "retention_runs"
        indexes = [IndexModel([("started_at", DESCENDING)])]


MODELS: tuple = (ArchivedCase, RetentionRun)
