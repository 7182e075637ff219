"""The mediation board file of a case: escalations, hearings, submissions, decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from bson import ObjectId
from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from backend.cases.phases import Phase
from backend.core import clock
from backend.core.models import KeyedDocument


def _new_id() -> str:
    return str(ObjectId())


class Attendance(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    REPRESENTED = "represented"


class HearingOutcome(StrEnum):
    ADJOURNED = "adjourned"
    SETTLED = "settled"  # the case moves to settlement
    FAILED = "failed"  # the case goes to the operator with a recommendation
    CUSTOMER_ABSENT = "customer_absent"


class RecommendationKind(StrEnum):
    LEGAL = "legal"
    WRITE_OFF = "write_off"


class SubmissionType(StrEnum):
    STATEMENT = "statement"
    DOCUMENT = "document"
    EVIDENCE = "evidence"
    LETTER = "letter"
    OTHER = "other"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class Escalation(BaseModel):
    id: str = Field(default_factory=_new_id)
    at: datetime = Field(default_factory=clock.now)
    by: str
    from_phase: Phase
    reason: str
    first_hearing_at: datetime | None = None


class Hearing(BaseModel):
    """One sitting of the board, as the officer recorded it. Never edited."""

    id: str = Field(default_factory=_new_id)
    held_at: datetime
    attendance: Attendance
    outcome: HearingOutcome
    notes: str | None = None
    next_hearing_at: datetime | None = None
    recorded_at: datetime = Field(default_factory=clock.now)
    recorded_by: str


class Submission(BaseModel):
    """A document or statement handed to the board."""

    id: str = Field(default_factory=_new_id)
    type: SubmissionType
    reference: str
    notes: str | None = None
    submitted_at: datetime
    recorded_at: datetime = Field(default_factory=clock.now)
    recorded_by: str


class Recommendation(BaseModel):
    """What a failed mediation asks the operator to approve."""

    kind: RecommendationKind
    justification: str
    hearing_id: str
    by: str
    at: datetime = Field(default_factory=clock.now)


class LegalDecision(BaseModel):
    """The operator's decision on a recommendation."""

    decision: Decision
    recommendation: Recommendation
    reason: str | None = None
    by: str
    at: datetime = Field(default_factory=clock.now)


class MediationFile(KeyedDocument):
    """The board file of one case; `id` is the case id."""

    id: str
    escalations: list[Escalation] = []
    hearings: list[Hearing] = []
    submissions: list[Submission] = []
    next_hearing_at: datetime | None = None
    recommendation: Recommendation | None = None  # awaiting the operator
    decisions: list[LegalDecision] = []
    version: int = 0  # 0 until first stored
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "mediation_files"
        indexes = [IndexModel([("next_hearing_at", ASCENDING)])]


MODELS: tuple = (MediationFile,)
