"""Allocation rules, the last allocation attempt per case, and round-robin cursors."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from beanie import Document
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.cases.models import Action
from backend.core import clock
from backend.core.models import KeyedDocument
from backend.core.money import Money
from backend.core.schemas import JsonNumber
from backend.users.schemas import TRIMMED

DEFAULT_VALIDITY_DAYS = 60

Region = Annotated[str, StringConstraints(max_length=60, pattern=TRIMMED)]
Days = Annotated[int, Field(ge=0, le=36_500), JsonNumber]


class ChoiceStrategy(StrEnum):
    """How a rule ranks the DRCs that could take a case."""

    PERFORMANCE = "performance"  # highest performance score first; spare capacity breaks ties
    CAPACITY = "capacity"  # most spare capacity first; performance score breaks ties


class RuleConditions(BaseModel):
    """What a case must look like for a rule to apply; a null condition matches anything.

    Bounds are inclusive. The arrears band is compared with the case's outstanding
    amount (in the band's currency), the age with the days the arrears are overdue.
    """

    model_config = ConfigDict(extra="forbid")

    arrears_min: Money | None = None
    arrears_max: Money | None = None
    regions: list[Region] | None = Field(default=None, min_length=1, max_length=50)
    actions: list[Action] | None = Field(default=None, min_length=1, max_length=3)
    min_age_days: Days | None = None
    max_age_days: Days | None = None


class AllocationRule(Document):
    """An operator's rule: which cases go to which DRCs, ranked how, held for how long."""

    name: str
    priority: int  # lower is tried first; ties go to the older rule
    active: bool = True
    conditions: RuleConditions = RuleConditions()
    drc_ids: list[str] | None = None  # None: any active DRC
    excluded_drc_ids: list[str] = []
    validity_days: int = DEFAULT_VALIDITY_DAYS
    strategy: ChoiceStrategy = ChoiceStrategy.PERFORMANCE
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "allocation_rules"
        indexes = [IndexModel([("active", ASCENDING), ("priority", ASCENDING)])]


class AttemptOutcome(StrEnum):
    ALLOCATED = "allocated"
    UNALLOCATED = "unallocated"  # no rule matched, or no candidate DRC could take it


class RankedDrc(BaseModel):
    """A DRC that could take the case, as the rule ranked it."""

    drc_id: str
    performance_score: float
    spare: int


class AllocationAttempt(KeyedDocument):
    """The latest allocation attempt on a case (`id` is the case id): why it is still in
    the pool, or which rule placed it. Also remembers the DRC it was last recalled from."""

    id: str
    at: datetime = Field(default_factory=clock.now)
    outcome: AttemptOutcome
    rule_id: str | None = None
    drc_id: str | None = None
    reason: str
    ranking: list[RankedDrc] = []
    attempts: int = 1
    recalled_from: str | None = None
    recalled_at: datetime | None = None

    class Settings:
        name = "allocation_attempts"
        indexes = [IndexModel([("outcome", ASCENDING), ("at", DESCENDING)])]


class DrcSlots(KeyedDocument):
    """Per DRC, allocations made so far. Every allocation bumps it in its transaction, so
    two allocations racing for a DRC's last slot conflict and one re-checks capacity."""

    id: str
    allocated: int = 0
    last_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "allocation_drc_slots"


class AssignmentCursor(KeyedDocument):
    """Where round-robin distribution stopped in a DRC (`id` is the DRC id)."""

    id: str
    last_ro_id: str | None = None
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "assignment_cursors"


MODELS = (AllocationRule, AllocationAttempt, DrcSlots, AssignmentCursor)
