from __future__ import annotations

from datetime import timedelta

import pytest

from backend.cases.models import Action
from backend.users.models import Role
from tests.backend.payments.helpers import (
    day,
    lkr,
    lump_sum,
    now_iso,
    pay,
    plan,
    publish_rates,
    reload,
    settle,
)
from tests.factories import bearer, make_case, make_user


async def _reverse(client, key, actor, payment_id: str, reason: str = "cheque bounced"):
    return await client.post(
        f"/payments/{payment_id}/reverse", json={"reason": reason}, headers=bearer(key, actor)
    )


async def _plan_of(client, key, actor, case) -> dict:
    return (await client.get(f"/cases/{case.id}/settlements", headers=bearer(key, actor))).json()[0]


async def test_payments_pay_the_oldest_instalments_first(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=90_000)
    await settle(client, signing_key, officer, case, plan(30_000, 30_000, 30_000))
    first = await pay(client, signing_key, officer, case, 45_000)
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["recovery_type"] == "instalment" and body["applied"] == lkr(45_000)
    assert [(s["number"], s["amount"]["amount"]) for s in body["instalments"]] == [
        (1, 30_000),
        (2, 15_000),
    ]
    settlement = await _plan_of(client, signing_key, officer, case)
    assert [i["status"] for i in settlement["instalments"]] == ["paid", "partially_paid", "pending"]
    assert settlement["paid"] == lkr(45_000)
    case = await reload(case)
    assert case.outstanding.amount == 45_000 and case.phase == "settlement"
    assert case.history[-1].action == "payment.apply"


async def test_paying_the_plan_off_closes_the_case_without_cpe(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=60_000, action=Action.ARREARS)
    await settle(client, signing_key, officer, case, plan(30_000, 30_000))
    await pay(client, signing_key, officer, case, 30_000)
    last = (await pay(client, signing_key, officer, case, 30_000)).json()
    assert last["settlement_completed"] and last["arrears_completed"] and last["case_closed"]
    assert (await _plan_of(client, signing_key, officer, case))["status"] == "completed"
    case = await reload(case)
    assert case.phase == "closed" and case.outcome == "recovered"
    assert case.arrears_status == "done" and case.outstanding.amount == 0


async def test_full_payment_with_cpe_pending_completes_only_the_arrears(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=50_000)  # arrears and CPE
    body = (await pay(client, signing_key, officer, case, 50_000)).json()
    assert body["recovery_type"] == "direct_payment"
    assert body["arrears_completed"] and not body["case_closed"]
    case = await reload(case)
    assert case.phase == "negotiation" and case.arrears_status == "done"
    again = await pay(client, signing_key, officer, case, 1_000)
    assert again.status_code == 409 and again.json()["code"] == "payment.nothing_outstanding"


async def test_overpayment_is_credit_on_the_payment(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=20_000, action=Action.ARREARS)
    body = (await pay(client, signing_key, officer, case, 25_000)).json()
    assert body["applied"] == lkr(20_000) and body["credit"] == lkr(5_000)
    assert body["outstanding_before"] == lkr(20_000) and body["case_closed"]
    assert (await reload(case)).outstanding.amount == 0


async def test_a_paid_off_discounted_settlement_writes_the_discount_off(client, signing_key):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    case = await make_case(
        "negotiation", drc_id=supervisor.drc_id, arrears=100_000, action=Action.ARREARS
    )
    await settle(client, signing_key, supervisor, case, lump_sum(80_000))
    body = (await pay(client, signing_key, supervisor, case, 80_000)).json()
    assert body["recovery_type"] == "full_settlement"
    assert body["applied"] == lkr(80_000) and body["waived"] == lkr(20_000)
    case = await reload(case)
    assert case.phase == "closed" and case.outstanding.amount == 0


async def test_a_reference_is_applied_once_per_channel(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=100_000)
    first = await pay(client, signing_key, officer, case, 10_000, reference="MP-QX81")
    assert first.status_code == 201 and first.json()["reference"] == "MP-QX81"
    for reference in ("MP-QX81", "mp-qx81"):
        again = await pay(client, signing_key, officer, case, 10_000, reference=reference)
        assert again.status_code == 409 and again.json()["code"] == "payment.duplicate_reference"
    other_channel = await pay(
        client, signing_key, officer, case, 10_000, reference="MP-QX81", channel="mobile_money"
    )
    assert other_channel.status_code == 201
    assert (await reload(case)).outstanding.amount == 80_000


PAYMENT_RULES = {
    "zero": (lambda: {"amount": lkr(0)}, 422, "payment.amount_invalid"),
    "other_currency": (
        lambda: {"amount": {"amount": 100, "currency": "USD"}},
        422,
        "payment.amount_invalid",
    ),
    "in_the_future": (
        lambda: {"paid_at": now_iso(timedelta(hours=2))},
        422,
        "payment.paid_at_invalid",
    ),
    "last_century": (
        lambda: {"paid_at": "1999-12-31T23:00:00+00:00"},
        422,
        "payment.paid_at_invalid",
    ),
}


@pytest.mark.parametrize("rule", sorted(PAYMENT_RULES))
async def test_payments_breaking_a_rule_are_refused(client, signing_key, rule):
    build, status, code = PAYMENT_RULES[rule]
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    fields = build()
    amount = fields.pop("amount", lkr(1_000))
    response = await pay(client, signing_key, officer, case, amount, **fields)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


async def test_cpe_only_cases_take_no_payment(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, action=Action.CPE)
    response = await pay(client, signing_key, officer, case, 1_000)
    assert response.status_code == 409 and response.json()["code"] == "payment.nothing_outstanding"


async def test_who_records_payments(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    operator = await make_user(Role.OPERATOR_OFFICER)
    hidden = await pay(client, signing_key, colleague, case, 1_000)
    assert hidden.status_code == 404 and hidden.json()["code"] == "case.not_found"
    assert (await pay(client, signing_key, supervisor, case, 1_000)).status_code == 201
    assert (await pay(client, signing_key, operator, case, 1_000)).status_code == 201
    # Operator staff also record on a case no officer holds yet.
    pooled = await make_case("allocated")
    assert (await pay(client, signing_key, operator, pooled, 1_000)).status_code == 201
    closed = await make_case("closed")
    refused = await pay(client, signing_key, operator, closed, 1_000)
    assert refused.status_code == 409 and refused.json()["code"] == "case.closed"


async def test_officers_of_other_drcs_get_404(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    payment = (await pay(client, signing_key, officer, case, 1_000)).json()
    stranger = await make_user(Role.RECOVERY_OFFICER)
    posted = await client.post(
        f"/cases/{case.id}/payments", json={"x": 1}, headers=bearer(signing_key, stranger)
    )
    assert posted.status_code == 404 and posted.json()["code"] == "case.not_found"
    listed = await client.get(f"/cases/{case.id}/payments", headers=bearer(signing_key, stranger))
    assert listed.status_code == 404
    one = await client.get(f"/payments/{payment['id']}", headers=bearer(signing_key, stranger))
    assert one.status_code == 404 and one.json()["code"] == "payment.not_found"
    mine = await client.get(f"/payments/{payment['id']}", headers=bearer(signing_key, officer))
    assert mine.status_code == 200 and mine.json()["id"] == payment["id"]


async def test_payments_list_newest_first_with_a_cursor(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    ids = [(await pay(client, signing_key, officer, case, 1_000)).json()["id"] for _ in range(3)]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get(
                f"/cases/{case.id}/payments", params=params, headers=bearer(signing_key, officer)
            )
        ).json()
        seen += [p["id"] for p in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids[::-1]


async def test_reversal_restores_instalments_promises_and_outstanding(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=60_000)
    promise = {
        "contacted_at": now_iso(),
        "channel": "call",
        "result": "reached",
        "outcome": "promise_to_pay",
        "promise": {"amount": lkr(30_000), "due_date": day(3)},
    }
    await client.post(
        f"/cases/{case.id}/negotiations", json=promise, headers=bearer(signing_key, officer)
    )
    await settle(client, signing_key, officer, case, plan(30_000, 30_000))
    await pay(client, signing_key, officer, case, 30_000)
    last = (await pay(client, signing_key, officer, case, 30_000)).json()
    assert last["arrears_completed"] and not last["case_closed"]  # CPE still to come
    operator = await make_user(Role.OPERATOR_OFFICER)
    response = await _reverse(client, signing_key, operator, last["id"])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "reversed" and body["reversal"]["restored"] == lkr(30_000)
    assert not body["flagged"]
    settlement = await _plan_of(client, signing_key, officer, case)
    assert settlement["status"] == "active"
    assert [i["status"] for i in settlement["instalments"]] == ["paid", "pending"]
    case = await reload(case)
    assert case.outstanding.amount == 30_000 and case.arrears_status == "open"
    assert case.history[-1].action == "payment.reverse"
    first = (
        await client.get(f"/cases/{case.id}/payments", headers=bearer(signing_key, officer))
    ).json()["items"][-1]
    assert first["promises"][0]["kept"]
    again = await _reverse(client, signing_key, operator, first["id"], "wrong account")
    assert again.status_code == 200
    negotiation = (
        await client.get(f"/cases/{case.id}/negotiations", headers=bearer(signing_key, officer))
    ).json()["items"][0]
    assert (
        negotiation["promise"]["state"] == "open" and negotiation["promise"]["paid"]["amount"] == 0
    )
    assert (await reload(case)).outstanding.amount == 60_000


async def test_reversal_needs_operator_staff_and_happens_once(client, signing_key):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    case = await make_case("negotiation", drc_id=supervisor.drc_id)
    payment = (await pay(client, signing_key, supervisor, case, 5_000)).json()
    refused = await _reverse(client, signing_key, supervisor, payment["id"])
    assert refused.status_code == 403
    admin = await make_user(Role.OPERATOR_ADMIN)
    assert (await _reverse(client, signing_key, admin, payment["id"])).status_code == 200
    twice = await _reverse(client, signing_key, admin, payment["id"])
    assert twice.status_code == 409 and twice.json()["code"] == "payment.already_reversed"
    missing = await _reverse(client, signing_key, admin, "0" * 24)
    assert missing.status_code == 404 and missing.json()["code"] == "payment.not_found"


async def test_reversal_on_a_closed_case_keeps_it_closed_and_flags_it(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    admin = await make_user(Role.OPERATOR_ADMIN)
    await publish_rates(client, signing_key, admin)
    case = await make_case("negotiation", ro=officer, arrears=40_000, action=Action.ARREARS)
    payment = (await pay(client, signing_key, officer, case, 40_000)).json()
    assert payment["case_closed"]
    body = (await _reverse(client, signing_key, admin, payment["id"])).json()
    assert body["status"] == "reversed" and body["flagged"]
    assert "no longer recovered" in body["flag_reason"]
    assert body["reversal"]["restored"] == lkr(0) and body["reversal"]["clawback_entry_id"]
    case = await reload(case)
    assert case.phase == "closed" and case.outstanding.amount == 0
