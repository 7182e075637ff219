from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from backend.core.money import Money
from backend.core.schemas import Day, JsonNumber, Notes, RequestModel
from backend.settlements.models import (
    DEFAULT_AFTER_MISSED,
    Instalment,
    SettlementKind,
    SettlementSource,
    SettlementStatus,
)

MissLimit = Annotated[int, Field(ge=1, le=12), JsonNumber]


class InstalmentIn(RequestModel):
    amount: Money
    due_date: Day


class SettlementCreate(RequestModel):
    """A lump sum (`total` by `due_date`) or a plan (`instalments` adding up to `total`)."""

    kind: SettlementKind
    total: Money
    due_date: Day | None = Field(default=None, description="Lump sum only")
    instalments: Annotated[list[InstalmentIn], Field(max_length=120)] | None = Field(
        default=None, description="Instalment plans only: amounts and due dates, in order"
    )
    default_after_missed: MissLimit = Field(
        default=DEFAULT_AFTER_MISSED,
        description="How many instalments may be missed (at once) before the plan defaults",
    )
    note: Notes | None = None


class SettlementRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    case_id: str
    drc_id: str | None
    ro_id: str | None
    kind: SettlementKind
    source: SettlementSource
    source_ref: str | None
    total: Money
    outstanding_at_agreement: Money
    discount: Money
    paid: Money
    instalments: list[Instalment]
    status: SettlementStatus
    default_after_missed: int
    note: str | None
    created_by: str | None
    created_at: datetime
    completed_at: datetime | None
    defaulted_at: datetime | None
    default_reason: str | None
