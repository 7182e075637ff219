"""Other domains' changes notify inside their own transaction (the delivery log)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.allocation import service as allocation
from backend.cases import service as cases
from backend.core import db
from backend.notifications import service
from backend.notifications.models import Delivery, Notification
from backend.notifications.service import MutationOutcome
from backend.settlements import service as settlements
from backend.users.models import Role
from tests.backend.payments.helpers import plan, settle, today
from tests.factories import bearer, make_case, make_drc, make_user


async def _kinds(user) -> list[str]:
    return [n.kind.value async for n in Notification.find({"user_id": user.id}).sort("_id")]


async def test_a_decision_reaches_who_raised_the_request(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    raised = await client.post(
        f"/cases/{case.id}/requests",
        json={"type": "other", "details": "Need the customer's old bills"},
        headers=bearer(signing_key, officer),
    )
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    decided = await client.post(
        f"/requests/{raised.json()['id']}/decision",
        json={"decision": "reject", "note": "Ask billing directly"},
        headers=bearer(signing_key, supervisor),
    )
    assert decided.status_code == 200, decided.text
    [item] = await Notification.find({"user_id": officer.id}).to_list()
    assert item.kind == "request_rejected" and item.case_id == str(case.id)
    assert (
        item.body == "Your other request on Test Customer's case was rejected: Ask billing directly"
    )
    assert await Delivery.find({"notification_id": str(item.id)}).count() == 1


async def test_a_failed_decision_leaves_no_notification(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    raised = await client.post(
        f"/cases/{case.id}/requests",
        json={"type": "mediation_board_letter"},
        headers=bearer(signing_key, officer),
    )
    operator = await make_user(Role.OPERATOR_ADMIN)
    refused = await client.post(
        f"/requests/{raised.json()['id']}/decision",
        json={"decision": "approve"},  # a board letter needs its reference
        headers=bearer(signing_key, operator),
    )
    assert refused.status_code == 422
    assert await Notification.find().count() == 0 and await Delivery.find().count() == 0


async def test_unassign_and_recall_take_the_case_away(client, signing_key):
    drc = await make_drc()
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    first = await make_case("assigned", ro=officer)
    dropped = await client.delete(
        f"/cases/{first.id}/assignment", headers=bearer(signing_key, supervisor)
    )
    assert dropped.status_code == 200
    second = await make_case("negotiation", ro=officer)
    async with db.transaction() as session:
        await cases.update(
            actor=None,
            case=second,
            action="test.expire",
            changes={"validity_until": datetime.now(UTC) - timedelta(hours=1)},
            session=session,
        )
    summary = await allocation.recall_cases(
        actor=None, case_ids=[str(second.id)], now=datetime.now(UTC)
    )
    assert len(summary.recalled) == 1
    assert await _kinds(officer) == ["case_taken_away", "case_taken_away"]


async def test_distribution_tells_each_officer_of_each_case(client, signing_key):
    drc = await make_drc(assignment_preference="round_robin")
    officers = [await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id) for _ in range(2)]
    for _ in range(4):
        await make_case("allocated", drc_id=drc.id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    done = await client.post("/allocation/assign", json={}, headers=bearer(signing_key, supervisor))
    assert len(done.json()["assigned"]) == 4, done.text
    for officer in officers:
        assert await _kinds(officer) == ["case_assigned", "case_assigned"]
    pushes = await Delivery.find({"channel": "push"}).to_list()
    assert {d.collapse_key for d in pushes} == {"case_assigned"}  # a burst collapses


async def test_a_missed_instalment_tells_the_officer_and_the_customer(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=90_000)
    created = await settle(client, signing_key, officer, case, plan(30_000, 30_000, 30_000))
    assert created.status_code == 201
    await settlements.check_missed(today=today() + timedelta(days=11))
    await settlements.check_missed(today=today() + timedelta(days=11))  # again: nothing new
    [item] = await Notification.find({"user_id": officer.id}).to_list()
    assert item.kind == "instalment_missed"
    assert item.body == (
        f"Test Customer missed instalment 1 of LKR 300.00, due {today() + timedelta(days=10)}."
    )
    [sms] = await Delivery.find({"audience": "customer"}).to_list()
    assert sms.kind == "instalment_missed" and sms.channel == "sms"
    assert "LKR 300.00" in sms.body and sms.case_id == str(case.id)


async def test_the_sync_engine_reports_mutation_outcomes_once(client):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    for outcome in (MutationOutcome.REJECTED, MutationOutcome.REJECTED, MutationOutcome.IN_REVIEW):
        async with db.transaction() as session:
            await service.notify_mutation_outcome(
                officer_id=officer.id,
                case_id=str(case.id),
                mutation_id="dev-1:42",
                outcome=outcome,
                reason="the case was reassigned",
                session=session,
            )
    items = await Notification.find({"user_id": officer.id}).sort("_id").to_list()
    assert [i.kind.value for i in items] == ["mutation_rejected", "mutation_in_review"]
    assert items[0].route == "/outbox/dev-1:42"
    assert items[0].data == {
        "kind": "mutation_rejected",
        "route": "/outbox/dev-1:42",
        "case_id": str(case.id),
    }


async def test_an_aborted_transaction_leaves_no_notification(client):
    officer = await make_user(Role.RECOVERY_OFFICER)
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await service.notify_mutation_outcome(
                officer_id=officer.id,
                case_id=None,
                mutation_id="dev-1:43",
                outcome=MutationOutcome.REJECTED,
                reason="bad",
                session=session,
            )
            raise RuntimeError("the caller's change failed")
    assert await Notification.find().count() == 0 and await Delivery.find().count() == 0
