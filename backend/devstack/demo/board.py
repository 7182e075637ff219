"""Cases before the mediation board, and the ones it sent to the operator's legal review."""

from __future__ import annotations

from datetime import datetime

from backend.cases.contacts import NegotiationOutcome
from backend.cases.models import Case
from backend.devstack.demo import asks
from backend.devstack.demo.actions import contact, pay
from backend.devstack.demo.work import Work, device_time, fresh, instalments, share
from backend.mediation import service as mediation
from backend.mediation.models import (
    Attendance,
    Decision,
    HearingOutcome,
    RecommendationKind,
    SubmissionType,
)
from backend.mediation.schemas import (
    HearingCreate,
    LegalReviewDecision,
    MediationEscalate,
    SubmissionCreate,
)
from backend.payments.models import PaymentChannel
from backend.settlements.models import SettlementKind
from backend.settlements.schemas import InstalmentIn, SettlementCreate

REASONS = (
    "Customer refuses to pay after three visits and two letters",
    "Customer denies the arrears and will not discuss a settlement",
    "Promises to pay repeatedly broken; customer now refuses contact",
)
LEGAL_AMOUNT = 10_000_000  # LKR 100,000.00: above it, legal action is worth its cost


async def _refuse_and_escalate(work: Work, case: Case, first_hearing: datetime | None) -> None:
    await contact(
        work,
        case,
        NegotiationOutcome.REFUSED,
        notes="Customer was firm about not paying and told the officer to take it to the board",
    )
    data = MediationEscalate(reason=work.rng.choice(REASONS), first_hearing_at=first_hearing)
    await mediation.escalate(actor=work.officer(case), case=await fresh(case), data=data)


async def _submit(work: Work, case: Case, kind: SubmissionType, notes: str) -> None:
    data = SubmissionCreate(type=kind, reference=work.reference("MBS"), notes=notes)
    await mediation.record_submission(actor=work.officer(case), case=await fresh(case), data=data)


async def _hearing(work: Work, case: Case, data: HearingCreate) -> None:
    await mediation.record_hearing(actor=work.officer(case), case=await fresh(case), data=data)


async def mediation_case(work: Work, case: Case, n: int) -> None:
    """Four shapes: awaiting a first hearing, board letter first, adjourned, customer absent."""
    if n % 4 == 0:
        await _refuse_and_escalate(work, case, work.morning(work.rng.randint(5, 30)))
        await _submit(work, case, SubmissionType.STATEMENT, "Officer's statement of the visits")
        return
    if n % 4 == 1:
        await asks.board_letter(work, case, granted=True)
        await _refuse_and_escalate(work, case, work.morning(work.rng.randint(10, 40)))
        return
    await _refuse_and_escalate(work, case, None)
    absent = n % 4 == 3
    await _submit(work, case, SubmissionType.DOCUMENT, "Statement of account and bills")
    await _hearing(
        work,
        case,
        HearingCreate(
            held_at=device_time(),
            attendance=Attendance.ABSENT if absent else Attendance.PRESENT,
            outcome=HearingOutcome.CUSTOMER_ABSENT if absent else HearingOutcome.ADJOURNED,
            notes=None if absent else "Customer asked for time to bring salary slips",
            next_hearing_at=work.morning(work.rng.randint(7, 35)),
        ),
    )


async def board_settled(work: Work, case: Case, n: int) -> None:
    """The board agreed a discounted plan; its first instalment is already paid."""
    await _refuse_and_escalate(work, case, None)
    await _submit(work, case, SubmissionType.STATEMENT, "Customer's statement of income")
    total = share(case.outstanding, 0.75)
    parts = instalments(total, 4)
    terms = SettlementCreate(
        kind=SettlementKind.INSTALMENTS,
        total=total,
        instalments=[
            InstalmentIn(amount=part, due_date=work.day(1 + 30 * k)) for k, part in enumerate(parts)
        ],
        note="Terms agreed before the mediation board: 25% discount, four monthly instalments",
    )
    await _hearing(
        work,
        case,
        HearingCreate(
            held_at=device_time(),
            attendance=Attendance.REPRESENTED if n % 2 else Attendance.PRESENT,
            outcome=HearingOutcome.SETTLED,
            notes="Settled before the board",
            settlement=terms,
        ),
    )
    await pay(work, case, parts[0], channel=PaymentChannel.BANK, by=work.operator)


async def failed_mediation(work: Work, case: Case, kind: RecommendationKind | None = None) -> None:
    """Escalated, evidence filed, and the hearing failed: the operator must decide."""
    await _refuse_and_escalate(work, case, None)
    await _submit(work, case, SubmissionType.EVIDENCE, "Signed equipment loan acknowledgement")
    if kind is None:
        large = case.outstanding.amount >= LEGAL_AMOUNT
        kind = RecommendationKind.LEGAL if large else RecommendationKind.WRITE_OFF
    legal = kind is RecommendationKind.LEGAL
    await _hearing(
        work,
        case,
        HearingCreate(
            held_at=device_time(),
            attendance=Attendance.PRESENT if legal else Attendance.ABSENT,
            outcome=HearingOutcome.FAILED,
            notes="The board could not bring the parties to terms",
            recommendation=kind,
            justification=(
                "Customer has means to pay (business premises) but refuses; recover through court"
                if legal
                else "Customer is unemployed with no assets; recovery would cost more than the debt"
            ),
        ),
    )


async def legal_review(work: Work, case: Case, n: int) -> None:
    await failed_mediation(work, case)


async def _decide(work: Work, case: Case, data: LegalReviewDecision) -> None:
    await mediation.decide_legal_review(actor=work.admin, case=await fresh(case), data=data)


async def written_off(work: Work, case: Case, n: int) -> None:
    await failed_mediation(work, case, RecommendationKind.WRITE_OFF)
    await _decide(work, case, LegalReviewDecision(decision=Decision.APPROVE))


async def sent_to_court(work: Work, case: Case, n: int) -> None:
    await failed_mediation(work, case, RecommendationKind.LEGAL)
    await _decide(work, case, LegalReviewDecision(decision=Decision.APPROVE))


async def review_rejected(work: Work, case: Case, n: int) -> None:
    """The operator sends a write-off back to the board: the customer has found work."""
    await failed_mediation(work, case, RecommendationKind.WRITE_OFF)
    reason = "Customer has started work at a garment factory; ask the board to try a plan"
    await _decide(work, case, LegalReviewDecision(decision=Decision.REJECT, reason=reason))
