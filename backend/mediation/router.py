from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from backend.auth.deps import CurrentUser, OperatorStaff
from backend.cases.deps import CaseForCaller
from backend.mediation import service
from backend.mediation.schemas import (
    HearingCreate,
    LegalReviewDecision,
    MediationEscalate,
    MediationRead,
    SubmissionCreate,
    UpcomingHearing,
)

router = APIRouter(tags=["mediation"])

Days = Annotated[int, Query(ge=1, le=90, description="How many days ahead")]
HearingLimit = Annotated[int, Query(ge=1, le=500, description="At most this many hearings")]


@router.get("/mediation/hearings/upcoming", summary="Upcoming mediation board hearings")
async def upcoming_hearings(
    actor: CurrentUser, days: Days = 7, limit: HearingLimit = 200
) -> list[UpcomingHearing]:
    """Next hearings within `days`, and past ones not yet recorded, soonest first."""
    return await service.upcoming_hearings(actor=actor, days=days, limit=limit)


@router.get("/cases/{case_id}/mediation", summary="Mediation board file of a case")
async def get_mediation(case: CaseForCaller) -> MediationRead:
    """Escalations, hearings, submissions, the next hearing and the operator's decisions."""
    return await service.view(case=case)


@router.post("/cases/{case_id}/mediation", summary="Escalate a case to the mediation board")
async def escalate(
    case: CaseForCaller, actor: CurrentUser, body: MediationEscalate
) -> MediationRead:
    """The holding officer or their supervisor, from negotiation or settlement."""
    return await service.escalate(actor=actor, case=case, data=body)


@router.post(
    "/cases/{case_id}/mediation/hearings",
    status_code=status.HTTP_201_CREATED,
    summary="Record a mediation board hearing",
)
async def record_hearing(
    case: CaseForCaller, actor: CurrentUser, body: HearingCreate
) -> MediationRead:
    """Append-only; settled moves the case to settlement, failed to legal review."""
    return await service.record_hearing(actor=actor, case=case, data=body)


@router.post(
    "/cases/{case_id}/mediation/submissions",
    status_code=status.HTTP_201_CREATED,
    summary="Record a submission to the mediation board",
)
async def record_submission(
    case: CaseForCaller, actor: CurrentUser, body: SubmissionCreate
) -> MediationRead:
    """A document or statement handed to the board; append-only."""
    return await service.record_submission(actor=actor, case=case, data=body)


@router.post(
    "/cases/{case_id}/legal-review/decision",
    summary="Decide on a legal or write-off recommendation (operator)",
)
async def decide_legal_review(
    case: CaseForCaller, actor: OperatorStaff, body: LegalReviewDecision
) -> MediationRead:
    """Approve: the case closes as legal or written off. Reject: back to mediation."""
    return await service.decide_legal_review(actor=actor, case=case, data=body)
