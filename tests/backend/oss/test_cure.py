"""The cure: a suspended account gets its service back once its arrears are paid, or the
first instalment of its arrangement is; staff record what they did along the way."""

from __future__ import annotations

from backend.audit.models import AuditRecord
from backend.cases import service as cases
from backend.core import db
from backend.core.money import Money
from backend.oss import cure, service
from backend.oss.models import (
    CureCondition,
    CureRecord,
    CureStatus,
    EventKind,
    EventStatus,
    OssEvent,
    ServiceStatus,
)
from backend.payments import service as payments
from backend.payments.schemas import PaymentCreate
from backend.settlements import service as settlements
from backend.settlements.schemas import SettlementCreate
from backend.users.models import Role
from tests.backend.payments.helpers import day, lkr, now_iso
from tests.factories import bearer, make_case, make_user


async def _suspended(oss, case) -> None:
    """The ladder's suspension step taken, delivered and acknowledged by OSS."""
    event = await service.request_suspension(account_id=case.account_id, reason="ladder")
    await oss.deliver(event.id)
    await oss.acknowledge(event.idempotency_key)
    assert (await service.service_state(case.account_id)).status is ServiceStatus.SUSPENDED


async def _pay(officer, case_id: str, amount: int, reference: str) -> None:
    case = await cases.get_unscoped(case_id)
    data = PaymentCreate.model_validate(
        {"amount": lkr(amount), "paid_at": now_iso(), "channel": "cash", "reference": reference}
    )
    await payments.record_payment(actor=officer, case=case, data=data)


async def _reinstatement(account_id: str) -> OssEvent | None:
    return await OssEvent.find_one({"account_id": account_id, "kind": EventKind.REINSTATEMENT})


async def test_paying_the_arrears_reinstates_the_service(oss):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=40_000)
    await _suspended(oss, case)
    await _pay(officer, str(case.id), 15_000, "R-PART-1")
    assert await _reinstatement(case.account_id) is None  # still owing
    await _pay(officer, str(case.id), 25_000, "R-REST-1")

    [record] = await CureRecord.find_all().to_list()
    assert record.status is CureStatus.MET and record.met_by is CureCondition.ARREARS_PAID
    event = await _reinstatement(case.account_id)
    assert event is not None and str(event.id) == record.reinstatement_event_id
    state = await service.service_state(case.account_id)
    assert state.status is ServiceStatus.REINSTATEMENT_REQUESTED

    await oss.deliver(str(event.id))
    assert [r.json["kind"] for r in oss.server.received] == ["suspension", "reinstatement"]
    assert all(r.verified for r in oss.server.received)
    await oss.acknowledge(event.idempotency_key)
    assert (await service.service_state(case.account_id)).status is ServiceStatus.REINSTATED
    closed = await CureRecord.get(record.id)
    assert closed is not None and closed.status is CureStatus.CLOSED
    assert (await OssEvent.get(event.id)).status is EventStatus.ACKNOWLEDGED  # type: ignore[union-attr]


async def test_paying_the_first_instalment_of_an_arrangement_reinstates_the_service(oss):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=60_000)
    await _suspended(oss, case)
    plan = SettlementCreate.model_validate(
        {
            "kind": "instalments",
            "total": lkr(60_000),
            "instalments": [
                {"amount": lkr(20_000), "due_date": day(10)},
                {"amount": lkr(20_000), "due_date": day(40)},
                {"amount": lkr(20_000), "due_date": day(70)},
            ],
        }
    )
    await settlements.create_settlement(actor=officer, case=case, data=plan)
    await cure.sweep()
    assert await _reinstatement(case.account_id) is None  # agreed, not yet paid
    await _pay(officer, str(case.id), 12_000, "R-INST-1A")
    assert await _reinstatement(case.account_id) is None
    await _pay(officer, str(case.id), 8_000, "R-INST-1B")
    [record] = await CureRecord.find_all().to_list()
    assert record.met_by is CureCondition.FIRST_INSTALMENT_PAID
    event = await _reinstatement(case.account_id)
    assert event is not None and event.status is EventStatus.PENDING


async def test_arrears_paid_before_oss_acknowledged_are_seen_when_the_cure_opens(oss):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=30_000)
    event = await service.request_suspension(account_id=case.account_id, reason="ladder")
    await oss.deliver(event.id)
    await _pay(officer, str(case.id), 30_000, "R-EARLY-1")
    assert await _reinstatement(case.account_id) is None  # nothing to cure yet
    await oss.acknowledge(event.idempotency_key)
    assert await _reinstatement(case.account_id) is not None
    assert (await cure.sweep()) == {"checked": 0, "met": 0}  # nothing open is left


async def test_staff_record_cure_actions_audited(oss, client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=30_000)
    await _suspended(oss, case)
    operator = await make_user(Role.OPERATOR_OFFICER)
    body = {"kind": "contact", "note": "Called the customer; will pay on Friday"}
    url = f"/cure/{case.account_id}/actions"
    answer = await client.post(url, json=body, headers=bearer(signing_key, operator))
    assert answer.status_code == 201, answer.text
    assert [a["kind"] for a in answer.json()["actions"]] == ["contact"]
    shown = await client.get(f"/cure/{case.account_id}", headers=bearer(signing_key, operator))
    assert shown.json()["actions"][0]["note"] == body["note"]
    assert await AuditRecord.find({"action": "cure.action", "actor_uid": operator.id}).count() == 1

    refused = await client.post(url, json={"kind": "call"}, headers=bearer(signing_key, operator))
    assert refused.status_code == 422
    officer_try = await client.post(url, json=body, headers=bearer(signing_key, officer))
    assert officer_try.status_code == 403
    missing = await client.get("/cure/ACC-NONE", headers=bearer(signing_key, operator))
    assert missing.status_code == 404 and missing.json()["code"] == "oss.cure_not_found"


async def test_the_sweep_meets_a_cure_whose_arrears_were_cleared_elsewhere(oss):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=30_000)
    await _suspended(oss, case)
    assert await cure.sweep() == {"checked": 1, "met": 0}
    async with db.transaction() as session:  # the balance corrected from BSS, say
        await cases.update(
            actor=None,
            case=case,
            action="test.correct_balance",
            changes={"outstanding": Money.zero("LKR")},
            session=session,
        )
    assert await cure.sweep() == {"checked": 1, "met": 1}
    assert await _reinstatement(case.account_id) is not None
    assert await cure.sweep() == {"checked": 0, "met": 0}
