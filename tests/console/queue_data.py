"""What waits in the console's work queues, reached as in real use: through the services."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.allocation import assignment
from backend.allocation.schemas import AssignmentCreate
from backend.cases import service as cases
from backend.cases.models import Action
from backend.cpe import service as cpe
from backend.cpe.schemas import CpeItemRecord
from backend.customers import service as customers
from backend.customers.schemas import ContactsUpdate
from backend.mediation import service as mediation
from backend.mediation.schemas import HearingCreate, MediationEscalate
from backend.requests import service as requests
from backend.requests.schemas import OfficerRequestCreate
from backend.syncing import service as syncing
from backend.users.models import Role
from sync.models import InboxItem
from sync.protocol import Mutation
from tests.backend.syncing.helpers import Device
from tests.factories import make_case, make_user


async def raise_request(team, officer=None, **fields):
    officer = officer or team.officers[0]
    case = await make_case("assigned", ro=officer)
    data = OfficerRequestCreate(type="other", details="ask the customer's bank", **fields)
    return case, await requests.create(actor=officer, case=case, data=data)


async def quarantined(team):
    """An officer's call recorded after the case went to a colleague: held for review."""
    officer, colleague = team.officers
    case = await make_case("negotiation", ro=officer)
    await assignment.assign(
        actor=team.supervisor, case=case, data=AssignmentCreate(ro_id=colleague.id)
    )
    phone = Device(officer)
    mutation = Mutation.model_validate(phone.negotiation(str(case.id)))
    [result] = await syncing.push(actor=officer, batch=[mutation])
    assert result.status == "quarantined"
    return case, await InboxItem.find_one({"client_id": phone.client_id})


async def awaiting_approval():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer, action=Action.CPE)
    collected = CpeItemRecord(
        serial=case.cpe_items[0].serial,
        status="collected",
        collected_at=datetime.now(UTC) - timedelta(hours=1),
        condition="working, with its power cable",
    )
    await cpe.record_item(actor=officer, case=case, data=collected)
    return await cases.get_unscoped(str(case.id))


async def in_legal_review():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    reason = MediationEscalate(reason="refuses every instalment plan")
    await mediation.escalate(actor=officer, case=case, data=reason)
    case = await cases.get_unscoped(str(case.id))
    hearing = HearingCreate(
        held_at=datetime.now(UTC) - timedelta(hours=2),
        attendance="present",
        outcome="failed",
        recommendation="write_off",
        justification="no means and no assets found",
    )
    await mediation.record_hearing(actor=officer, case=case, data=hearing)
    return await cases.get_unscoped(str(case.id))


async def settled_conflict(team):
    """The office and an officer's phone edited one contact; the phone's later edit won."""
    officer = team.officers[0]
    case = await make_case("negotiation", ro=officer)
    customer = await customers.get_unscoped(case.customer_id)
    contact = customer.contacts[0].id
    office = ContactsUpdate(
        base_version=customer.version,
        changes=[{"op": "update", "id": contact, "value": "+94770000001"}],
    )
    await customers.update_contacts(actor=team.supervisor, case=case, data=office)
    phone = Device(officer)
    edit = phone.mutation(
        "customer.update_contact",
        {
            "case_id": str(case.id),
            "changes": [{"op": "update", "id": contact, "value": "+94770000002"}],
        },
        base_version=customer.version,
        device_time=datetime.now(UTC) + timedelta(seconds=30),
    )
    [result] = await syncing.push(actor=officer, batch=[Mutation.model_validate(edit)])
    assert result.status == "merged"
    return case, await InboxItem.find_one({"client_id": phone.client_id})
