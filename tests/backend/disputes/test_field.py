"""Disputes raised on a case: by its officer or supervisor through the API, or by the
officer offline as the `dispute.raise` mutation, through the same use case."""

from __future__ import annotations

from backend.cases import service as cases
from backend.cases.phases import Phase
from backend.core import db
from backend.customers.models import Customer
from backend.disputes.models import BillingDispute
from backend.users.models import Role
from tests.backend.syncing.helpers import Device, push_ok
from tests.factories import bearer, make_case, make_user

BODY = {"kind": "incorrect_charge", "description": "Charged for a package already cancelled"}


async def test_the_officer_and_supervisor_raise_on_the_case(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    case = await make_case("negotiation", ro=officer)
    for who in (officer, supervisor):
        made = await client.post(
            f"/cases/{case.id}/disputes", json=BODY, headers=bearer(signing_key, who)
        )
        assert made.status_code == 201, made.text
        assert made.json()["account_id"] == case.account_id and made.json()["raised_by"] == who.id
    hold = (await Customer.get(case.customer_id)).dispute
    assert len(hold.billing_disputes) == 2
    stranger = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    hidden = await client.post(
        f"/cases/{case.id}/disputes", json=BODY, headers=bearer(signing_key, stranger)
    )
    assert hidden.status_code == 404


async def test_a_closed_case_takes_no_dispute_from_drc_staff(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    async with db.transaction() as session:
        await cases.move(
            actor=None, case=case, to=Phase.CLOSED, action="case.close", session=session
        )
    refused = await client.post(
        f"/cases/{case.id}/disputes", json=BODY, headers=bearer(signing_key, officer)
    )
    assert refused.status_code == 409 and refused.json()["code"] == "case.closed"
    assert await BillingDispute.find_all().count() == 0


async def test_the_officer_raises_offline_once(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    phone = Device(officer)
    raised = phone.mutation(
        "dispute.raise", {**BODY, "case_id": str(case.id), "amount": {"amount": 90_000}}
    )
    results = await push_ok(client, signing_key, officer, [raised])
    assert [r["status"] for r in results] == ["applied"], results
    again = await push_ok(client, signing_key, officer, [raised])
    assert [r["status"] for r in again] == ["applied"]
    [dispute] = await BillingDispute.find_all().to_list()
    assert dispute.case_id == str(case.id) and dispute.ro_id == officer.id
    assert dispute.amount.amount == 90_000
    assert (await Customer.get(case.customer_id)).dispute.billing_disputes == [str(dispute.id)]
    bad = phone.mutation("dispute.raise", {**BODY, "case_id": str(case.id), "kind": "bill"})
    [refused] = await push_ok(client, signing_key, officer, [bad])
    assert refused["status"] == "rejected"
