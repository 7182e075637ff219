from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from backend.core.money import Money
from backend.core.schemas import Count, JsonNumber, Label, Reason, RequestModel
from backend.dunning.models import (
    Arm,
    ExperimentStatus,
    Hold,
    Outcome,
    Step,
    StepKind,
)
from backend.notifications.models import Channel
from backend.segments.models import AccountFacts

StepKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]{0,39}$")]
Name = Label


class StepIn(RequestModel, Step):
    """One step as sent: unknown fields refused."""

    key: StepKey
    min_days_past_due: Count = 0
    wait_days: Annotated[int, Field(ge=0, le=365), JsonNumber] = 7


class StrategyCreate(RequestModel):
    """The ladder for one segment (its id is the segment's)."""

    segment_id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,39}$")]
    name: Name
    steps: list[StepIn] = Field(min_length=1, max_length=20)


class StrategyUpdate(RequestModel):
    """A new version of the ladder; evaluations from now on use it."""

    name: Name
    steps: list[StepIn] = Field(min_length=1, max_length=20)


class StrategyRead(BaseModel):
    id: str
    segment_id: str
    name: str
    version: int
    steps: list[Step]
    updated_by: str | None
    updated_at: datetime


class StrategyVersionRead(BaseModel):
    version: int
    name: str
    steps: list[Step]
    created_by: str | None
    created_at: datetime


class LadderRead(BaseModel):
    cycle: int
    strategy_id: str | None
    experiment_id: str | None
    arm: Arm | None
    next_step: str | None  # the key of the step to take next, None at the end
    last_step_at: datetime | None
    last_response_at: datetime | None
    last_intent: str | None
    promised_on: date | None
    hold: Hold | None
    hold_reason: str | None
    completed: bool
    escalation_item_id: str | None  # the worklist item opened when no answer came


class StandingRead(BaseModel):
    """An account's standing, its segment and its place on the ladder."""

    account_id: str
    facts: AccountFacts
    overdue: bool
    overdue_since: datetime | None
    under_arrangement: bool
    cycle: int
    cleared_at: datetime | None
    cleared_reason: str | None
    segment_id: str | None
    segment_reason: str | None
    evaluated_at: datetime
    ladder: LadderRead | None


class LedgerEntryRead(BaseModel):
    id: str
    cycle: int
    step: str
    kind: StepKind
    strategy_id: str
    strategy_version: int
    experiment_id: str | None
    arm: Arm | None
    outcome: Outcome
    channels: list[Channel]
    delivery_ids: list[str]
    incident_id: str | None
    oss_event_id: str | None
    by: str | None
    note: str | None
    at: datetime


class LadderOverride(RequestModel):
    """Skip to a step, hold the ladder, or release a hold; always with a reason."""

    action: Literal["skip_to", "hold", "release"]
    step: StepKey | None = Field(default=None, description="For skip_to: the step to take next")
    reason: Reason


class EvaluationSummary(BaseModel):
    """What one pass did, step by step."""

    evaluated: int = 0
    steps_taken: int = 0
    cleared: int = 0
    held: int = 0
    escalated: int = 0
    chunks: int = 0


class ChallengerIn(RequestModel):
    """The challenger's ladder; it belongs to the segment it challenges."""

    segment_id: str
    name: Name
    steps: list[StepIn] = Field(min_length=1, max_length=20)


class ExperimentSetup(RequestModel):
    """Run a challenger on `share_bp` basis points (1..9999) of the segment's new cycles."""

    share_bp: Annotated[int, JsonNumber]
    challenger: ChallengerIn


class ExperimentRead(BaseModel):
    id: str
    segment_id: str
    share_bp: int
    status: ExperimentStatus
    champion_version: int
    challenger: StrategyRead
    started_by: str | None
    started_at: datetime
    ended_by: str | None
    ended_at: datetime | None


class Estimate(BaseModel):
    """A figure with its 95% confidence interval."""

    value: float | None
    low: float | None
    high: float | None


class Collected(BaseModel):
    """Mean amount collected per account within `days` of its cycle's start (minor units)."""

    days: int
    currency: str
    total: int
    mean: Estimate


class ArmReport(BaseModel):
    arm: Arm
    strategy_id: str
    accounts: int
    cures: int
    cure_rate: Estimate
    collected: list[Collected]
    messages: int
    contacts_per_cure: float | None
    cost: Money
    cost_per_cure: float | None


class ExperimentReport(BaseModel):
    """Outcomes per arm of a segment's current (or last) experiment."""

    experiment: ExperimentRead
    arms: list[ArmReport]
