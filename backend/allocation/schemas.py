from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.allocation.models import (
    DEFAULT_VALIDITY_DAYS,
    AttemptOutcome,
    ChoiceStrategy,
    RankedDrc,
    RuleConditions,
)
from backend.core.schemas import JsonNumber, RequestModel, StrictBool, omittable
from backend.drcs.models import AssignmentPreference
from backend.users.schemas import DrcId, Name, Uid

Priority = Annotated[int, Field(ge=0, le=1_000_000), JsonNumber]
ValidityDays = Annotated[int, Field(ge=1, le=3650), JsonNumber]
BatchLimit = Annotated[int, Field(ge=1, le=10_000), JsonNumber]
DrcIds = Annotated[list[DrcId], Field(min_length=1, max_length=100)]


class RuleCreate(RequestModel):
    """A new rule. `drc_ids` null (the default) means any active DRC."""

    name: Name
    priority: Priority = 100
    active: StrictBool = True
    conditions: RuleConditions = RuleConditions()
    drc_ids: DrcIds | None = None
    excluded_drc_ids: list[DrcId] = Field(default_factory=list, max_length=100)
    validity_days: ValidityDays = DEFAULT_VALIDITY_DAYS
    strategy: ChoiceStrategy = ChoiceStrategy.PERFORMANCE


class RuleUpdate(RequestModel):
    """Fields to change. `conditions` merges: a condition sent replaces that condition,
    null clears it, one left out stays. `drc_ids` null means any active DRC."""

    name: Name = omittable()
    priority: Priority = omittable()
    active: StrictBool = omittable()
    conditions: RuleConditions = omittable()
    drc_ids: DrcIds | None = None
    excluded_drc_ids: list[DrcId] = omittable(max_length=100)
    validity_days: ValidityDays = omittable()
    strategy: ChoiceStrategy = omittable()


RuleId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]


class RuleOrder(RequestModel):
    """Every rule's id, in the order the engine should try them."""

    rule_ids: list[RuleId] = Field(min_length=1, max_length=1000)


class RuleRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    priority: int
    active: bool
    conditions: RuleConditions
    drc_ids: list[str] | None
    excluded_drc_ids: list[str]
    validity_days: int
    strategy: ChoiceStrategy
    created_at: datetime
    updated_at: datetime


class BatchRequest(RequestModel):
    """How many cases one call may take on (the configured batch size when left out)."""

    limit: BatchLimit | None = None


class CaseResult(BaseModel):
    case_id: str
    drc_id: str | None = None
    rule_id: str | None = None
    reason: str


class AllocationSummary(BaseModel):
    """What a run did: cases allocated, left in the pool (with why), and skipped."""

    allocated: list[CaseResult] = []
    unallocated: list[CaseResult] = []
    skipped: list[CaseResult] = []
    remaining: int = 0  # NEW cases this run did not reach


class RecallSummary(BaseModel):
    """Cases recalled to the pool, those left alone, and the re-allocation that followed."""

    recalled: list[CaseResult] = []
    skipped: list[CaseResult] = []
    reallocation: AllocationSummary | None = None


class AttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    case_id: str = Field(validation_alias="id")
    at: datetime
    outcome: AttemptOutcome
    rule_id: str | None
    drc_id: str | None
    reason: str
    ranking: list[RankedDrc]
    attempts: int
    recalled_from: str | None
    recalled_at: datetime | None


class AssignmentCreate(RequestModel):
    ro_id: Uid


class DistributeRequest(RequestModel):
    """Which DRC's allocated cases to hand out; supervisors may leave it out (their own)."""

    drc_id: DrcId | None = None
    limit: BatchLimit | None = None


class Assigned(BaseModel):
    case_id: str
    ro_id: str


class AssignmentSummary(BaseModel):
    """What a hand-over of several cases to one officer did, case by case."""

    drc_id: str
    ro_id: str
    assigned: list[Assigned] = []
    unchanged: list[str] = []  # already with that officer
    refused: list[CaseResult] = []


class DistributionSummary(BaseModel):
    """What automatic distribution did in one DRC, by its assignment preference."""

    drc_id: str
    preference: AssignmentPreference
    assigned: list[Assigned] = []
    skipped: list[CaseResult] = []
    note: str | None = None
