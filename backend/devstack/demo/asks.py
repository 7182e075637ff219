"""Officer requests: raised by the holding officer, decided by the operator or supervisor."""

from __future__ import annotations

from datetime import timedelta

from backend.cases.models import Case
from backend.devstack.demo.work import Work, fresh
from backend.requests import service as requests
from backend.requests.models import Decision, RequestType
from backend.requests.schemas import OfficerRequestCreate, RequestDecisionCreate
from backend.users.models import User

OTHER = {
    "address": "Customer has moved; please send the new billing address from CRM",
    "bills": "Customer disputes two months of charges; need copies of the bills",
    "cheques": "Customer offers post-dated cheques for the instalments; may I accept them?",
    "waiver": "Customer asks to waive the reconnection fee if the arrears are cleared",
    "visit": "Need a second officer for a visit; the premises are a large estate",
}


async def _raise(work: Work, case: Case, data: OfficerRequestCreate) -> str:
    case = await fresh(case)
    raised = await requests.create(actor=work.officer(case), case=case, data=data)
    return raised.id


async def _decide(
    actor: User,
    request_id: str,
    decision: Decision,
    *,
    note: str | None = None,
    letter: str | None = None,
) -> None:
    data = RequestDecisionCreate(decision=decision, note=note, letter_reference=letter)
    await requests.decide(actor=actor, request_id=request_id, data=data)


async def extension(work: Work, case: Case, *, decision: Decision | None = None) -> None:
    """A month more than the allocation gives; the operator decides."""
    case = await fresh(case)
    assert case.validity_until is not None
    until = case.validity_until + timedelta(days=30)
    data = OfficerRequestCreate(
        type=RequestType.VALIDITY_EXTENSION,
        details="Customer promised to settle after the harvest; need another month",
        requested_until=until,
    )
    request_id = await _raise(work, case, data)
    if decision is Decision.APPROVE:
        await _decide(work.admin, request_id, decision, note="Granted once; no further extension")
    elif decision is Decision.REJECT:
        note = "No payment in the validity period so far; the case returns to the pool"
        await _decide(work.operator, request_id, decision, note=note)


async def board_letter(work: Work, case: Case, *, granted: bool = False) -> None:
    """The officer asks the operator for a mediation board letter."""
    data = OfficerRequestCreate(
        type=RequestType.MEDIATION_BOARD_LETTER,
        details="Customer refuses to engage; a board letter should bring them in",
    )
    request_id = await _raise(work, case, data)
    if granted:
        letter = f"MB/{work.today:%Y}/{work.rng.randint(100, 999)}"
        await _decide(work.operator, request_id, Decision.APPROVE, letter=letter)


async def other(
    work: Work,
    case: Case,
    topic: str,
    *,
    decision: Decision | None = None,
    note: str | None = None,
) -> None:
    """Anything else; the DRC's supervisor decides."""
    data = OfficerRequestCreate(type=RequestType.OTHER, details=OTHER[topic])
    request_id = await _raise(work, case, data)
    if decision is not None:
        await _decide(work.supervisor(case), request_id, decision, note=note)
