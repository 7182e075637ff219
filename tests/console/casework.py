"""A case worked through every domain, each record made through its domain's service."""

from __future__ import annotations

from datetime import timedelta

from backend.allocation import assignment
from backend.allocation.schemas import AssignmentCreate
from backend.cases import service as cases
from backend.cases.models import Case
from backend.cpe import service as cpe
from backend.cpe.schemas import CpeItemRecord
from backend.mediation import service as mediation
from backend.mediation.schemas import HearingCreate, MediationEscalate
from backend.negotiations import service as negotiations
from backend.payments import service as payments
from backend.payments.schemas import PaymentCreate
from backend.requests import service as requests
from backend.requests.models import RequestType
from backend.requests.schemas import OfficerRequestCreate
from backend.settlements import service as settlements
from backend.settlements.schemas import SettlementCreate
from tests.backend.payments.helpers import lkr, now_iso, plan, promised
from tests.console.conftest import Team
from tests.factories import make_case


async def worked_case(team: Team) -> Case:
    """A case with a record of every kind, each made through its domain's service."""
    officer = team.officers[0]
    case = await make_case("allocated", drc_id=team.drc_id, arrears=150_000)
    await assignment.assign(
        actor=team.supervisor, case=case, data=AssignmentCreate(ro_id=officer.id)
    )
    await negotiations.record_negotiation(
        actor=officer, case=await _fresh(case), data=promised(10_000)
    )
    await payments.record_payment(actor=officer, case=await _fresh(case), data=_paid(10_000, "R-1"))
    await settlements.create_settlement(
        actor=officer,
        case=await _fresh(case),
        data=SettlementCreate.model_validate(plan(70_000, 70_000)),
    )
    await payments.record_payment(actor=officer, case=await _fresh(case), data=_paid(70_000, "R-2"))
    serial = case.cpe_items[0].serial
    item = CpeItemRecord.model_validate(
        {"serial": serial, "status": "collected", "collected_at": now_iso()}
    )
    await cpe.record_item(actor=officer, case=await _fresh(case), data=item)
    escalation = MediationEscalate(reason="The customer stopped paying the plan")
    await mediation.escalate(actor=officer, case=await _fresh(case), data=escalation)
    hearing = HearingCreate.model_validate(
        {
            "held_at": now_iso(timedelta(hours=-1)),
            "attendance": "present",
            "outcome": "adjourned",
            "notes": "The customer asked for a month",
        }
    )
    await mediation.record_hearing(actor=officer, case=await _fresh(case), data=hearing)
    ask = OfficerRequestCreate(type=RequestType.OTHER, details="The customer moved house")
    await requests.create(actor=officer, case=await _fresh(case), data=ask)
    return case


async def _fresh(case):
    return await cases.get_unscoped(str(case.id))


def _paid(amount: int, reference: str) -> PaymentCreate:
    return PaymentCreate.model_validate(
        {"amount": lkr(amount), "paid_at": now_iso(), "channel": "cash", "reference": reference}
    )
