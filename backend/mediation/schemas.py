from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from backend.cases.phases import Phase
from backend.core.schemas import NOT_BLANK, RequestModel, Timestamp
from backend.mediation.models import (
    Attendance,
    Decision,
    Escalation,
    Hearing,
    HearingOutcome,
    LegalDecision,
    Recommendation,
    RecommendationKind,
    Submission,
    SubmissionType,
)
from backend.settlements.schemas import SettlementCreate
from backend.users.schemas import TRIMMED

Reason = Annotated[str, StringConstraints(min_length=3, max_length=2000, pattern=NOT_BLANK)]
# A hearing's or a submission's notes run longer than the 2000 characters of `Notes`.
BoardNotes = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=NOT_BLANK)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=TRIMMED)]


class MediationEscalate(RequestModel):
    """Why negotiation failed, and the board's first hearing date when known."""

    reason: Reason
    first_hearing_at: Timestamp | None = None


class HearingCreate(RequestModel):
    """A board sitting. A failed one carries the recommendation for the operator."""

    held_at: Timestamp
    attendance: Attendance
    outcome: HearingOutcome
    notes: BoardNotes | None = None
    next_hearing_at: Timestamp | None = None  # adjourned or customer_absent only
    recommendation: RecommendationKind | None = None  # failed only
    justification: Reason | None = None  # failed only
    settlement: SettlementCreate | None = None  # settled only: the terms the board agreed


class SubmissionCreate(RequestModel):
    """A document or statement handed to the board; `submitted_at` defaults to now."""

    type: SubmissionType
    reference: Reference
    notes: BoardNotes | None = None
    submitted_at: Timestamp | None = None


class LegalReviewDecision(RequestModel):
    """Approve the recommendation (the case closes) or reject it back to mediation."""

    decision: Decision
    reason: Reason | None = None


class MediationRead(BaseModel):
    """The board file of a case."""

    case_id: str
    phase: Phase
    escalations: list[Escalation]
    hearings: list[Hearing]
    submissions: list[Submission]
    next_hearing_at: datetime | None
    recommendation: Recommendation | None
    decisions: list[LegalDecision]
    version: int


class UpcomingHearing(BaseModel):
    """A case's next board hearing; `overdue` when its date passed with no record yet."""

    case_id: str
    hearing_at: datetime
    overdue: bool
    customer_name: str
    account_id: str
    drc_id: str | None
    ro_id: str | None
    hearings_held: int
