from __future__ import annotations

from datetime import timedelta

import pytest
from bson import ObjectId

from backend.core import db
from backend.core.money import Money
from backend.settlements import service as settlements
from backend.settlements.models import SettlementSource
from backend.settlements.schemas import SettlementCreate
from backend.users.models import Role
from tests.backend.payments.helpers import day, lkr, lump_sum, pay, plan, reload, settle, today
from tests.factories import bearer, make_case, make_user


async def test_lump_sum_moves_negotiation_to_settlement(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=150_000)
    response = await settle(client, signing_key, officer, case, lump_sum(150_000, due=7))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == "lump_sum" and body["status"] == "active"
    assert body["source"] == "negotiation" and body["discount"]["amount"] == 0
    assert [
        (i["number"], i["amount"]["amount"], i["due_date"], i["status"])
        for i in body["instalments"]
    ] == [(1, 150_000, day(7), "pending")]
    case = await reload(case)
    assert case.phase == "settlement" and case.history[-1].action == "settlement.create"
    listed = await client.get(f"/cases/{case.id}/settlements", headers=bearer(signing_key, officer))
    assert [s["id"] for s in listed.json()] == [body["id"]]


async def test_instalment_plan(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=90_000)
    response = await settle(
        client, signing_key, officer, case, plan(30_000, 30_000, 30_000, default_after_missed=3)
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["total"] == lkr(90_000) and body["default_after_missed"] == 3
    assert [i["due_date"] for i in body["instalments"]] == [day(10), day(40), day(70)]
    assert {i["status"] for i in body["instalments"]} == {"pending"}


# Bodies are built when the test runs, relative to today.
TERMS = {
    "total_mismatch": (
        lambda: {**plan(30_000, 30_000), "total": lkr(70_000)},
        "settlement.total_mismatch",
    ),
    "above_outstanding": (lambda: lump_sum(150_001), "settlement.exceeds_outstanding"),
    "lump_sum_with_instalments": (
        lambda: {**lump_sum(60_000), "instalments": plan(30_000, 30_000)["instalments"]},
        "settlement.invalid_terms",
    ),
    "lump_sum_without_due_date": (
        lambda: {"kind": "lump_sum", "total": lkr(150_000)},
        "settlement.invalid_terms",
    ),
    "plan_of_one": (lambda: plan(150_000), "settlement.invalid_terms"),
    "plan_with_due_date": (
        lambda: {**plan(75_000, 75_000), "due_date": day(3)},
        "settlement.invalid_terms",
    ),
    "due_in_the_past": (lambda: lump_sum(150_000, due=-1), "settlement.invalid_terms"),
    "dates_not_increasing": (
        lambda: plan(75_000, 75_000, every=0),
        "settlement.invalid_terms",
    ),
    "zero_instalment": (lambda: plan(150_000, 0), "settlement.invalid_terms"),
    "too_far_away": (lambda: lump_sum(150_000, due=2000), "settlement.invalid_terms"),
    "other_currency": (
        lambda: {**lump_sum(150_000), "total": {"amount": 150_000, "currency": "USD"}},
        "settlement.currency_mismatch",
    ),
}


@pytest.mark.parametrize("rule", sorted(TERMS))
async def test_terms_breaking_a_rule_are_refused(client, signing_key, rule):
    build, code = TERMS[rule]
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    case = await make_case("negotiation", drc_id=supervisor.drc_id, arrears=150_000)
    response = await settle(client, signing_key, supervisor, case, build())
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert (await reload(case)).phase == "negotiation"


async def test_a_discount_needs_the_supervisor(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=150_000)
    refused = await settle(client, signing_key, officer, case, lump_sum(120_000))
    assert refused.status_code == 403
    assert refused.json()["code"] == "settlement.discount_needs_supervisor"
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    agreed = await settle(client, signing_key, supervisor, case, lump_sum(120_000))
    assert agreed.status_code == 201
    assert agreed.json()["discount"] == lkr(30_000)
    assert agreed.json()["outstanding_at_agreement"] == lkr(150_000)


async def test_settles_only_from_negotiation(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    assigned = await make_case("assigned", ro=officer)
    response = await settle(client, signing_key, officer, assigned, lump_sum(150_000))
    assert response.status_code == 409 and response.json()["code"] == "settlement.phase_not_allowed"
    mediating = await make_case("mediation", ro=officer)
    response = await settle(client, signing_key, officer, mediating, lump_sum(150_000))
    assert response.status_code == 409
    settled = await make_case("negotiation", ro=officer)
    assert (
        await settle(client, signing_key, officer, settled, lump_sum(150_000))
    ).status_code == 201
    again = await settle(client, signing_key, officer, settled, lump_sum(150_000))
    assert again.status_code == 409 and again.json()["code"] == "settlement.phase_not_allowed"
    operator = await make_user(Role.OPERATOR_ADMIN)
    other = await make_case("negotiation", ro=officer)
    response = await settle(client, signing_key, operator, other, lump_sum(150_000))
    assert response.status_code == 403 and response.json()["code"] == "case.not_holder"


async def test_outsiders_get_404(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    stranger = await make_user(Role.DRC_SUPERVISOR)
    posted = await settle(client, signing_key, stranger, case, {"bogus": 1})
    assert posted.status_code == 404 and posted.json()["code"] == "case.not_found"
    listed = await client.get(
        f"/cases/{case.id}/settlements", headers=bearer(signing_key, stranger)
    )
    assert listed.status_code == 404


async def test_mediation_settles_through_the_service_in_its_own_transaction():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("mediation", ro=officer, arrears=150_000)
    operator = await make_user(Role.OPERATOR_OFFICER)
    async with db.transaction() as session:
        settlement = await settlements.create_settlement(
            actor=operator,
            case=case,
            data=SettlementCreate.model_validate(lump_sum(100_000, due=5)),
            source=SettlementSource.MEDIATION,
            source_ref=ObjectId("65f000000000000000000001"),  # a hearing id
            session=session,
        )
    assert (
        settlement.discount == Money(amount=50_000)
        and settlement.source_ref == "65f000000000000000000001"
    )
    assert (await reload(case)).phase == "settlement"
    # A defaulted mediation settlement goes back to the board.
    sweep = await settlements.check_missed(today=today() + timedelta(days=6))
    assert sweep.defaulted == [str(settlement.id)]
    case = await reload(case)
    assert case.phase == "mediation" and "defaulted" in case.history[-1].note


async def test_missed_instalments_and_the_plan_defaulting(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=90_000)
    created = (
        await settle(client, signing_key, officer, case, plan(30_000, 30_000, 30_000))
    ).json()
    await pay(client, signing_key, officer, case, 10_000)
    # The day after the first due date: it is missed (partly paid), the plan goes on.
    sweep = await settlements.check_missed(today=today() + timedelta(days=11))
    assert (sweep.missed, sweep.defaulted) == (1, [])
    body = await _settlement(client, signing_key, officer, case)
    assert [i["status"] for i in body["instalments"]] == ["missed", "pending", "pending"]
    assert body["instalments"][0]["paid"]["amount"] == 10_000
    assert (await settlements.check_missed(today=today() + timedelta(days=11))).missed == 0
    # The second one missed too: the plan defaults and the case goes back to negotiation.
    sweep = await settlements.check_missed(today=today() + timedelta(days=41))
    assert (sweep.missed, sweep.defaulted) == (1, [created["id"]])
    body = await _settlement(client, signing_key, officer, case)
    assert body["status"] == "defaulted" and "2 instalment(s) missed" in body["default_reason"]
    case = await reload(case)
    assert case.phase == "negotiation"
    assert case.history[-1].action == "settlement.default"
    assert "defaulted" in case.history[-1].note


async def test_the_miss_limit_is_per_plan_and_catching_up_cures(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=90_000)
    await settle(
        client, signing_key, officer, case, plan(30_000, 30_000, 30_000, default_after_missed=3)
    )
    await settlements.check_missed(today=today() + timedelta(days=41))
    body = await _settlement(client, signing_key, officer, case)
    assert [i["status"] for i in body["instalments"]] == ["missed", "missed", "pending"]
    assert body["status"] == "active"
    # Paying a missed instalment late marks it paid; a missed one no longer counts.
    await pay(client, signing_key, officer, case, 30_000)
    body = await _settlement(client, signing_key, officer, case)
    assert [i["status"] for i in body["instalments"]] == ["paid", "missed", "pending"]
    assert (await reload(case)).phase == "settlement"


async def test_a_lump_sum_defaults_on_its_one_miss(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=150_000)
    await settle(client, signing_key, officer, case, lump_sum(150_000, due=3))
    assert (await settlements.check_missed(today=today() + timedelta(days=3))).missed == 0
    sweep = await settlements.check_missed(today=today() + timedelta(days=4))
    assert len(sweep.defaulted) == 1
    assert (await reload(case)).phase == "negotiation"


async def _settlement(client, key, actor, case) -> dict:
    listed = await client.get(f"/cases/{case.id}/settlements", headers=bearer(key, actor))
    return listed.json()[0]
