"""API shapes of the archive and of retention runs."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from backend.cases.schemas import CaseRead
from backend.core.money import Money
from backend.retention.models import RunPart


class ArchivedCaseSummary(BaseModel):
    """An archived case in a list: enough to find it and tell it apart."""

    id: str
    customer_id: str
    customer_name: str
    account_id: str
    drc_id: str | None
    outcome: str | None
    arrears: Money
    outstanding: Money
    closed_at: datetime
    archived_at: datetime


class ArchivedCaseRead(BaseModel):
    """A case read from the archive, with the records that went there with it (each
    as it was stored; ids as strings), by collection."""

    case: CaseRead
    archived_at: datetime
    records: dict[str, list[dict[str, Any]]]


class ArchiveTotals(BaseModel):
    """Archived cases of one group and currency: how many, their arrears and what was
    still outstanding when they closed (minor units)."""

    key: str | None
    currency: str
    cases: int
    arrears: int
    outstanding: int

    @property
    def recovered(self) -> int:
        return self.arrears - self.outstanding


class RetentionRunRead(BaseModel):
    """What one retention run did (or, dry, would have done)."""

    model_config = ConfigDict(from_attributes=True)

    id: str | None
    dry_run: bool
    actor_uid: str | None
    cutoffs: dict[str, datetime]
    archived_cases: RunPart
    minimised_customers: RunPart
    pruned_changes: RunPart
    pruned_deliveries: RunPart
    started_at: datetime
    finished_at: datetime | None
