"""The mediation board: escalation, hearings, submissions, and the operator's decision.

A settled hearing creates the board's settlement, which moves the case to SETTLEMENT;
a failed one sends it to LEGAL_REVIEW with a recommendation, which operator staff
approve (the case closes as legal or written off) or reject (back to MEDIATION).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.models import Case, Outcome
from backend.cases.phases import Phase
from backend.cases.sections import Section
from backend.core import clock, db
from backend.core.errors import Forbidden
from backend.mediation import repository
from backend.mediation.errors import (
    HearingDateInvalid,
    HearingInconsistent,
    NoRecommendation,
    NotEscalatable,
    NotInLegalReview,
    NotInMediation,
    ReasonRequired,
    RecommendationRequired,
)
from backend.mediation.models import (
    Attendance,
    Decision,
    Escalation,
    Hearing,
    HearingOutcome,
    LegalDecision,
    MediationFile,
    Recommendation,
    RecommendationKind,
    Submission,
)
from backend.mediation.schemas import (
    HearingCreate,
    LegalReviewDecision,
    MediationEscalate,
    MediationRead,
    SubmissionCreate,
    UpcomingHearing,
)
from backend.settlements import service as settlements
from backend.settlements.models import SettlementSource
from backend.settlements.schemas import SettlementCreate
from backend.users.models import User

ESCALATABLE = frozenset({Phase.NEGOTIATION, Phase.SETTLEMENT})
# Outcomes after which the board sits again, so a next hearing date makes sense.
CONTINUING = frozenset({HearingOutcome.ADJOURNED, HearingOutcome.CUSTOMER_ABSENT})
OUTCOME_OF = {
    RecommendationKind.LEGAL: Outcome.LEGAL,
    RecommendationKind.WRITE_OFF: Outcome.WRITTEN_OFF,
}


async def view(*, case: Case) -> MediationRead:
    """The board file: escalations, hearings, submissions, next hearing, decisions."""
    return _read(case, await _load(case))


async def escalate(
    *, actor: User, case: Case, data: MediationEscalate, session: AsyncClientSession | None = None
) -> MediationRead:
    """Send a case whose negotiation or settlement failed to the mediation board."""
    cases.require_worker(actor, case)
    if case.phase not in ESCALATABLE:
        raise NotEscalatable(f"A {case.phase} case cannot be escalated", phase=case.phase.value)
    if data.first_hearing_at is not None and data.first_hearing_at < clock.now():
        raise HearingDateInvalid("The first hearing date lies in the past")
    escalation = Escalation(
        by=actor.id,
        from_phase=case.phase,
        reason=data.reason,
        first_hearing_at=data.first_hearing_at,
    )
    async with db.transaction(session) as session:
        file = await _load(case, session=session)
        file.escalations.append(escalation)
        file.next_hearing_at = data.first_hearing_at
        file.recommendation = None
        await _save(actor, case, file, "mediation.escalate", escalation, session=session)
        if case.phase is Phase.SETTLEMENT:
            await settlements.supersede_active(
                actor=actor, case_id=str(case.id), reason=data.reason, session=session
            )
        case = await cases.move(
            actor=actor,
            case=case,
            to=Phase.MEDIATION,
            action="mediation.escalate",
            note=data.reason,
            session=session,
        )
    return _read(case, file)


async def record_hearing(
    *, actor: User, case: Case, data: HearingCreate, session: AsyncClientSession | None = None
) -> MediationRead:
    """Append a hearing; settled and failed outcomes move the case on."""
    cases.require_worker(actor, case)
    _require_phase(case, Phase.MEDIATION, NotInMediation)
    _check_hearing(data)
    hearing = Hearing(
        recorded_by=actor.id,
        # a sync mutation's arguments are the body plus `case_id`
        **data.model_dump(exclude={"case_id", "recommendation", "justification", "settlement"}),
    )
    async with db.transaction(session) as session:
        file = await _load(case, session=session)
        file.hearings.append(hearing)
        file.next_hearing_at = hearing.next_hearing_at
        if hearing.outcome is HearingOutcome.FAILED:
            assert data.recommendation is not None and data.justification is not None
            file.recommendation = Recommendation(
                kind=data.recommendation,
                justification=data.justification,
                hearing_id=hearing.id,
                by=actor.id,
            )
        await _save(actor, case, file, "mediation.record_hearing", hearing, session=session)
        case = await _follow_outcome(actor, case, file, hearing, data, session=session)
    return _read(case, file)


async def record_submission(
    *, actor: User, case: Case, data: SubmissionCreate, session: AsyncClientSession | None = None
) -> MediationRead:
    """Append a document or statement handed to the board."""
    cases.require_worker(actor, case)
    _require_phase(case, Phase.MEDIATION, NotInMediation)
    submission = Submission(
        type=data.type,
        reference=data.reference,
        notes=data.notes,
        submitted_at=data.submitted_at or clock.now(),
        recorded_by=actor.id,
    )
    async with db.transaction(session) as session:
        file = await _load(case, session=session)
        file.submissions.append(submission)
        await _save(actor, case, file, "mediation.submit", submission, session=session)
    return _read(case, file)


async def decide_legal_review(
    *, actor: User, case: Case, data: LegalReviewDecision
) -> MediationRead:
    """Operator staff approve the recommendation (the case closes) or send it back."""
    if not actor.is_operator:
        raise Forbidden("Only operator staff decide on legal action and write-offs")
    _require_phase(case, Phase.LEGAL_REVIEW, NotInLegalReview)
    rejecting = data.decision is Decision.REJECT
    if rejecting and data.reason is None:
        raise ReasonRequired("Say why the recommendation is rejected")
    async with db.transaction() as session:
        file = await _load(case, session=session)
        if file.recommendation is None:
            raise NoRecommendation(f"Case {case.id} has no recommendation on its board file")
        decision = LegalDecision(
            decision=data.decision,
            recommendation=file.recommendation,
            reason=data.reason,
            by=actor.id,
        )
        file.decisions.append(decision)
        file.recommendation = None
        await _save(
            actor,
            case,
            file,
            f"mediation.legal_review_{data.decision.value}",
            decision,
            session=session,
        )
        case = await _apply_decision(actor, case, decision, session=session)
    return _read(case, file)


async def upcoming_hearings(*, actor: User, days: int, limit: int) -> list[UpcomingHearing]:
    """Next hearings within `days` (and overdue ones) of mediation cases within reach."""
    now = clock.now()
    scope = (
        None if actor.is_operator else await cases.ids_in_phase(actor=actor, phase=Phase.MEDIATION)
    )
    files = await repository.with_next_hearing(
        until=now + timedelta(days=days), case_ids=scope, limit=limit
    )
    held = await cases.within_reach(
        actor=actor, case_ids=[f.id for f in files], phase=Phase.MEDIATION
    )
    by_id = {str(c.id): c for c in held}
    return [_upcoming(f, by_id[f.id], now) for f in files if f.id in by_id]


async def hearings_between(
    *, start: datetime, end: datetime, limit: int = 10_000
) -> list[tuple[str, datetime]]:
    """(case id, hearing time) of the next hearings in [start, end), for reminders
    (a system read: no reach check)."""
    files = await repository.hearings_between(start=start, end=end, limit=limit)
    return [(f.id, f.next_hearing_at) for f in files if f.next_hearing_at is not None]


def _check_hearing(data: HearingCreate) -> None:
    clock.require_past(data.held_at, what="held_at")
    failed = data.outcome is HearingOutcome.FAILED
    if failed and (data.recommendation is None or data.justification is None):
        raise RecommendationRequired("A failed hearing needs a recommendation and justification")
    if not failed and (data.recommendation is not None or data.justification is not None):
        raise HearingInconsistent("Only a failed hearing carries a recommendation")
    settled = data.outcome is HearingOutcome.SETTLED
    if settled and data.attendance is Attendance.ABSENT:
        raise HearingInconsistent("A case cannot settle with the customer absent and unrepresented")
    if settled != (data.settlement is not None):
        raise HearingInconsistent("A settled hearing, and only a settled one, carries the terms")
    if data.next_hearing_at is None:
        return
    if data.outcome not in CONTINUING:
        raise HearingInconsistent(f"A {data.outcome} hearing sets no next hearing")
    if data.next_hearing_at <= data.held_at:
        raise HearingDateInvalid("The next hearing must come after this one")


async def _follow_outcome(
    actor: User,
    case: Case,
    file: MediationFile,
    hearing: Hearing,
    data: HearingCreate,
    *,
    session: AsyncClientSession,
) -> Case:
    if hearing.outcome is HearingOutcome.SETTLED:
        assert data.settlement is not None
        return await _settle_case(
            actor=actor, case=case, hearing=hearing, terms=data.settlement, session=session
        )
    if hearing.outcome is HearingOutcome.FAILED:
        assert file.recommendation is not None
        return await cases.move(
            actor=actor,
            case=case,
            to=Phase.LEGAL_REVIEW,
            action="mediation.fail",
            note=f"{file.recommendation.kind}: {file.recommendation.justification}",
            session=session,
        )
    return case


async def _settle_case(
    *,
    actor: User,
    case: Case,
    hearing: Hearing,
    terms: SettlementCreate,
    session: AsyncClientSession,
) -> Case:
    """The board settled: the settlement, the hearing and the move to SETTLEMENT commit
    together (creating the settlement moves the case, in place)."""
    await settlements.create_settlement(
        actor=actor,
        case=case,
        data=terms,
        source=SettlementSource.MEDIATION,
        source_ref=hearing.id,
        session=session,
    )
    return case


async def _apply_decision(
    actor: User, case: Case, decision: LegalDecision, *, session: AsyncClientSession
) -> Case:
    if decision.decision is Decision.REJECT:
        return await cases.move(
            actor=actor,
            case=case,
            to=Phase.MEDIATION,
            action="mediation.legal_review_reject",
            note=decision.reason,
            session=session,
        )
    return await cases.move(
        actor=actor,
        case=case,
        to=Phase.CLOSED,
        action="mediation.legal_review_approve",
        changes={"outcome": OUTCOME_OF[decision.recommendation.kind]},
        note=decision.recommendation.justification,
        session=session,
    )


def _require_phase(
    case: Case, phase: Phase, error: type[NotInMediation | NotInLegalReview]
) -> None:
    if case.phase is not phase:
        raise error(f"Case {case.id} is {case.phase}, not {phase}", phase=case.phase.value)


async def _load(case: Case, *, session: AsyncClientSession | None = None) -> MediationFile:
    return await repository.get(str(case.id), session=session) or MediationFile(id=str(case.id))


async def _save(
    actor: User,
    case: Case,
    file: MediationFile,
    action: str,
    record: Escalation | Hearing | Submission | LegalDecision,
    *,
    session: AsyncClientSession,
) -> None:
    """Store the file and audit the record that changed it, in one transaction."""
    await repository.save(file, session=session)
    await cases.touch(case, action=action, sections=[Section.MEDIATION], session=session)
    await audit.record(
        actor=actor,
        action=action,
        entity_type="mediation_file",
        entity_id=file.id,
        after=record.model_dump(mode="json"),
        drc_id=case.drc_id,
        session=session,
    )


def _upcoming(file: MediationFile, case: Case, now: datetime) -> UpcomingHearing:
    assert file.next_hearing_at is not None
    return UpcomingHearing(
        case_id=file.id,
        hearing_at=file.next_hearing_at,
        overdue=file.next_hearing_at < now,
        customer_name=case.customer_name,
        account_id=case.account_id,
        drc_id=case.drc_id,
        ro_id=case.ro_id,
        hearings_held=len(file.hearings),
    )


def _read(case: Case, file: MediationFile) -> MediationRead:
    return MediationRead(
        case_id=str(case.id),
        phase=case.phase,
        escalations=file.escalations,
        hearings=file.hearings,
        submissions=file.submissions,
        next_hearing_at=file.next_hearing_at,
        recommendation=file.recommendation,
        decisions=file.decisions,
        version=file.version,
    )


async def next_hearings() -> dict[str, datetime]:
    """The next hearing of every case that has one set, by case id (officer summaries)."""
    return await repository.next_hearings()
