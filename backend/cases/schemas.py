from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from backend.cases.models import Action, Allocation, CaseEvent, Outcome, PartStatus
from backend.cases.phases import Phase
from backend.core.money import Money
from backend.core.schemas import NOT_BLANK, RequestModel
from backend.customers.models import CpeItem


class CaseSort(StrEnum):
    UPDATED = "updated"  # most recently changed first
    ARREARS = "arrears"  # largest outstanding first
    VALIDITY = "validity"  # soonest validity end first
    FOLLOW_UP = "follow_up"  # soonest follow-up first


class CaseSummary(BaseModel):
    """A case in a list."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    customer_id: str
    customer_name: str
    account_id: str
    action: Action
    phase: Phase
    arrears_status: PartStatus
    cpe_status: PartStatus
    outstanding: Money
    region: str | None
    drc_id: str | None
    ro_id: str | None
    validity_until: datetime | None
    next_follow_up: datetime | None
    updated_at: datetime
    version: int


class CaseRead(CaseSummary):
    """A case with everything the detail screen shows."""

    incident_id: str
    product_ids: list[str]
    arrears: Money
    overdue_since: datetime | None
    age_days: int
    cpe_items: list[CpeItem]
    allocation: Allocation | None
    outcome: Outcome | None
    history: list[CaseEvent]
    created_at: datetime
    closed_at: datetime | None


class PhaseCounts(BaseModel):
    """Open and closed cases per phase, within the caller's reach."""

    counts: dict[Phase, int]
    total: int


class CaseWithdraw(RequestModel):
    reason: str = Field(min_length=3, max_length=500, pattern=NOT_BLANK)
