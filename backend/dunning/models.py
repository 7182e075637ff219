"""Dunning: each overdue account's standing, the strategies (ladders of steps) per
segment in versions, each account's place on its ladder, and the ledger of steps taken
(an unanswered ladder becomes an escalation on the staff worklist)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock
from backend.core.models import KeyedDocument
from backend.core.schemas import Count, Minor
from backend.notifications.models import Channel, TemplateKey
from backend.segments.models import AccountFacts


class Standing(KeyedDocument):
    """What DebtX knows of one account now, and its dunning cycle; `id` is the account id.

    A cycle starts when the account becomes overdue and ends when it is cleared.
    """

    id: str
    facts: AccountFacts
    overdue: bool
    overdue_since: datetime | None = None
    under_arrangement: bool = False
    cycle: int = 0
    cycle_started_at: datetime | None = None
    cleared_at: datetime | None = None
    cleared_reason: str | None = None
    segment_id: str | None = None
    segment_reason: str | None = None
    evaluated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "dunning_standings"
        indexes = [IndexModel([("overdue", ASCENDING), ("segment_id", ASCENDING)])]


class StepKind(StrEnum):
    REMINDER = "reminder"
    FOLLOW_UP = "follow_up"
    FINAL_NOTICE = "final_notice"
    SUSPENSION = "suspension"
    HANDOFF = "handoff"


MESSAGE_KINDS = frozenset({StepKind.REMINDER, StepKind.FOLLOW_UP, StepKind.FINAL_NOTICE})


class Step(BaseModel):
    """One rung of a ladder: taken when its conditions hold and the previous step's wait
    has passed without an answer from the customer."""

    key: str
    kind: StepKind
    min_days_past_due: Count = 0
    min_balance: dict[str, Minor] = {}  # currency -> minor units, at least
    no_response_days: Count | None = None  # no answer in the last N days
    channels: list[Channel] = []  # the customer's channels to use, in preference order
    template: TemplateKey | None = None
    wait_days: Count = 7  # how long to wait for an answer before the next step


class Strategy(KeyedDocument):
    """The current version of a segment's ladder; `id` is the segment id (one per segment)."""

    id: str
    name: str
    version: int = 1
    steps: list[Step]
    challenger_of: str | None = None  # a challenger's segment (its id is not the segment's)
    updated_by: str | None = None
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "dunning_strategies"


class StrategyVersion(Document):
    """Every version a strategy has had, kept as written."""

    strategy_id: str
    version: int
    name: str
    steps: list[Step]
    created_by: str | None = None
    created_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "dunning_strategy_versions"
        indexes = [IndexModel([("strategy_id", ASCENDING), ("version", DESCENDING)], unique=True)]


class Hold(StrEnum):
    DISPUTE = "dispute"  # the customer's dispute is open (lifts when it is closed)
    CONTESTED = "contested"  # the customer disputed in a reply (staff release it)
    PROMISE = "promise"  # the customer promised to pay by a date
    MANUAL = "manual"  # an operator held the ladder


class Arm(StrEnum):
    CHAMPION = "champion"
    CHALLENGER = "challenger"


class Ladder(KeyedDocument):
    """Where an account stands on its ladder in its current cycle; `id` is the account id."""

    id: str
    cycle: int
    strategy_id: str | None = None
    experiment_id: str | None = None  # the experiment the cycle was placed in, if any
    arm: Arm | None = None
    next_step: int = 0  # index of the next step in the strategy
    last_step_at: datetime | None = None
    last_response_at: datetime | None = None
    last_intent: str | None = None
    promised_on: datetime | None = None  # the start (UTC) of the day promised
    hold: Hold | None = None
    hold_reason: str | None = None
    completed: bool = False
    escalation_item_id: str | None = None  # the worklist item opened when no answer came
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "dunning_ladders"


class Outcome(StrEnum):
    MESSAGED = "messaged"
    SUSPENSION_REQUESTED = "suspension_requested"
    HANDED_OFF = "handed_off"
    SKIPPED = "skipped"  # an operator skipped past it


class LedgerEntry(Document):
    """One step taken for an account in a cycle, with the strategy version that said so."""

    account_id: str
    cycle: int
    step: str
    kind: StepKind
    strategy_id: str
    strategy_version: int
    experiment_id: str | None = None
    arm: Arm | None = None
    outcome: Outcome
    channels: list[Channel] = []
    delivery_ids: list[str] = []
    incident_id: str | None = None
    oss_event_id: str | None = None  # the suspension request's event in the OSS outbox
    by: str | None = None  # who skipped it, for a skip
    note: str | None = None
    at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "dunning_ledger"
        indexes = [
            IndexModel(
                [("account_id", ASCENDING), ("cycle", ASCENDING), ("step", ASCENDING)],
                unique=True,
            ),
            IndexModel([("account_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("experiment_id", ASCENDING)]),  # the champion/challenger report
        ]


class ExperimentStatus(StrEnum):
    RUNNING = "running"
    PROMOTED = "promoted"
    STOPPED = "stopped"


class Experiment(Document):
    """A segment's champion/challenger trial: `share_bp` of new cycles (by a hash of the
    salt and the account id) climb the challenger's ladder instead of the champion's."""

    segment_id: str
    salt: str
    share_bp: int
    challenger_id: str  # the challenger's Strategy
    champion_version: int  # the champion's version when the experiment started
    status: ExperimentStatus = ExperimentStatus.RUNNING
    started_by: str | None = None
    started_at: datetime = Field(default_factory=clock.now)
    ended_by: str | None = None
    ended_at: datetime | None = None

    class Settings:
        name = "dunning_experiments"
        indexes = [
            IndexModel(
                [("segment_id", ASCENDING)],
                unique=True,
                partialFilterExpression={"status": "running"},
            ),
            IndexModel([("segment_id", ASCENDING), ("_id", DESCENDING)]),
        ]


class ExperimentMember(Document):
    """One account's cycle placed in an arm of an experiment, from `started_at`."""

    experiment_id: str
    account_id: str
    cycle: int
    arm: Arm
    started_at: datetime

    class Settings:
        name = "dunning_experiment_members"
        indexes = [
            IndexModel(
                [("experiment_id", ASCENDING), ("account_id", ASCENDING), ("cycle", ASCENDING)],
                unique=True,
            )
        ]


MODELS = (
    Standing,
    Strategy,
    StrategyVersion,
    Ladder,
    LedgerEntry,
    Experiment,
    ExperimentMember,
)
