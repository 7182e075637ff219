from __future__ import annotations

from datetime import UTC, datetime

import pytest

from backend.cases.models import Action
from backend.commission import service as commission
from backend.commission.schemas import RateTableCreate
from backend.core import db
from backend.settlements import service as settlements
from backend.settlements.models import SettlementSource
from backend.settlements.schemas import SettlementCreate
from backend.users.models import Role
from tests.backend.payments.helpers import (
    BANDS,
    day,
    lkr,
    lump_sum,
    now_iso,
    pay,
    plan,
    publish_rates,
    rate_of,
    rules,
    set_age,
    settle,
)
from tests.factories import bearer, make_case, make_drc, make_user


def this_month() -> str:
    return datetime.now(UTC).strftime("%Y-%m")


async def _entry(client, key, actor, drc_id: str, payment_id: str) -> dict:
    statement = (
        await client.get(
            "/commission/statements",
            params={"drc_id": drc_id, "month": this_month()},
            headers=bearer(key, actor),
        )
    ).json()
    return next(e for e in statement["entries"] if e["payment_id"] == payment_id)


async def test_rate_tables_are_versioned_and_admin_written(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    first = await publish_rates(client, signing_key, admin, note="2025 contract")
    second = await publish_rates(
        client, signing_key, admin, effective_from=day(0), cpe_fee_per_item=lkr(50_000)
    )
    assert (first["version"], second["version"]) == (1, 2)
    assert second["cpe_fee_per_item"] == lkr(50_000) and len(second["rules"]) == 20
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    listed = await client.get("/commission/rates", headers=bearer(signing_key, supervisor))
    assert [t["version"] for t in listed.json()] == [2, 1]
    body = {"effective_from": day(0), "rules": rules()}
    for role in (Role.DRC_SUPERVISOR, Role.OPERATOR_OFFICER):
        user = await make_user(role, drc_id=supervisor.drc_id if role.belongs_to_drc else None)
        refused = await client.post(
            "/commission/rates", json=body, headers=bearer(signing_key, user)
        )
        assert refused.status_code == 403
    officer = await make_user(Role.RECOVERY_OFFICER)
    assert (
        await client.get("/commission/rates", headers=bearer(signing_key, officer))
    ).status_code == 403


def _without(kind: str, band: int) -> list[dict]:
    low = BANDS[band][0]
    return [r for r in rules() if not (r["recovery_type"] == kind and r["min_age_days"] == low)]


BAD_RULES = {
    "missing_type": lambda: [r for r in rules() if r["recovery_type"] != "instalment"],
    "gap": lambda: _without("instalment", 1),
    "no_open_top": lambda: _without("direct_payment", 3),
    "overlap": lambda: [*rules(), {**rules()[1], "min_age_days": 60}],
    "open_in_the_middle": lambda: [
        {**r, "max_age_days": None} if r["min_age_days"] == 91 else r for r in rules()
    ],
    "cpe_rate": lambda: [
        *rules(),
        {"recovery_type": "cpe", "min_age_days": 0, "max_age_days": None, "rate_bp": 10},
    ],
    "upside_down": lambda: [
        {**r, "max_age_days": 10} if r["min_age_days"] == 91 else r for r in rules()
    ],
}


@pytest.mark.parametrize("rule", sorted(BAD_RULES))
async def test_rate_tables_must_cover_every_type_and_age(client, signing_key, rule):
    admin = await make_user(Role.OPERATOR_ADMIN)
    body = {"effective_from": day(0), "rules": BAD_RULES[rule]()}
    response = await client.post("/commission/rates", json=body, headers=bearer(signing_key, admin))
    assert response.status_code == 422, response.text
    assert response.json()["code"] == "commission.rates_invalid"


@pytest.mark.parametrize(("band", "age"), [(0, 30), (1, 120), (2, 200), (3, 400)])
async def test_each_age_band_earns_its_rate(client, signing_key, band, age):
    admin = await make_user(Role.OPERATOR_ADMIN)
    await publish_rates(client, signing_key, admin)
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await set_age(await make_case("negotiation", ro=officer, arrears=200_000), age)
    payment = (await pay(client, signing_key, officer, case, 100_000)).json()
    entry = await _entry(client, signing_key, admin, officer.drc_id, payment["id"])
    rate = rate_of("direct_payment", band)
    assert entry["rule"]["rate_bp"] == rate and entry["rule"]["age_days"] == age
    assert (entry["rule"]["min_age_days"], entry["rule"]["max_age_days"]) == BANDS[band]
    assert entry["amount"]["amount"] == 100_000 * rate // 10_000
    assert entry["drc_id"] == officer.drc_id and entry["recovery_type"] == "direct_payment"
    assert payment["commission_entry_id"] == entry["id"]


async def _promise(client, key, officer, case) -> None:
    body = {
        "contacted_at": now_iso(),
        "channel": "visit",
        "result": "reached",
        "outcome": "promise_to_pay",
        "promise": {"amount": lkr(20_000), "due_date": day(2)},
    }
    response = await client.post(
        f"/cases/{case.id}/negotiations", json=body, headers=bearer(key, officer)
    )
    assert response.status_code == 201


async def _mediation_settlement(case) -> None:
    operator = await make_user(Role.OPERATOR_OFFICER)
    async with db.transaction() as session:
        await settlements.create_settlement(
            actor=operator,
            case=case,
            data=SettlementCreate.model_validate(lump_sum(150_000)),
            source=SettlementSource.MEDIATION,
            session=session,
        )


@pytest.mark.parametrize(
    "recovery_type",
    ["full_settlement", "instalment", "promise_payment", "mediation_settlement", "direct_payment"],
)
async def test_each_recovery_type_earns_its_rate(client, signing_key, recovery_type):
    admin = await make_user(Role.OPERATOR_ADMIN)
    await publish_rates(client, signing_key, admin)
    officer = await make_user(Role.RECOVERY_OFFICER)
    phase = "mediation" if recovery_type == "mediation_settlement" else "negotiation"
    case = await make_case(phase, ro=officer, arrears=150_000)  # 120 days overdue: band 1
    if recovery_type == "full_settlement":
        await settle(client, signing_key, officer, case, lump_sum(150_000))
    elif recovery_type == "instalment":
        await settle(client, signing_key, officer, case, plan(75_000, 75_000))
    elif recovery_type == "promise_payment":
        await _promise(client, signing_key, officer, case)
    elif recovery_type == "mediation_settlement":
        await _mediation_settlement(case)
    payment = (await pay(client, signing_key, officer, case, 20_000)).json()
    assert payment["recovery_type"] == recovery_type
    entry = await _entry(client, signing_key, admin, officer.drc_id, payment["id"])
    assert entry["rule"]["rate_bp"] == rate_of(recovery_type, 1)
    assert entry["amount"]["amount"] == 20_000 * rate_of(recovery_type, 1) // 10_000


async def test_commission_is_on_what_reduced_the_debt(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    await publish_rates(client, signing_key, admin)
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=10_000, action=Action.ARREARS)
    payment = (await pay(client, signing_key, officer, case, 15_000)).json()
    entry = await _entry(client, signing_key, admin, officer.drc_id, payment["id"])
    assert entry["basis"] == lkr(10_000)
    assert entry["amount"]["amount"] == 10_000 * rate_of("direct_payment", 1) // 10_000


async def test_the_version_in_effect_on_the_payment_day_applies(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    await publish_rates(client, signing_key, admin, effective_from=day(-60))
    await publish_rates(
        client, signing_key, admin, effective_from=day(-10), rules=rules(direct_payment=1234)
    )
    await publish_rates(
        client, signing_key, admin, effective_from=day(5), rules=rules(direct_payment=4321)
    )
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=100_000)
    today_paid = (await pay(client, signing_key, officer, case, 10_000)).json()
    older = (
        await pay(client, signing_key, officer, case, 10_000, paid_at=f"{day(-20)}T10:00:00Z")
    ).json()
    now_entry = await _entry(client, signing_key, admin, officer.drc_id, today_paid["id"])
    old_entry = await _entry(client, signing_key, admin, officer.drc_id, older["id"])
    assert (now_entry["rule"]["table_version"], now_entry["rule"]["rate_bp"]) == (2, 1234)
    assert old_entry["rule"]["table_version"] == 1
    assert old_entry["rule"]["rate_bp"] == rate_of("direct_payment", 1)


async def test_without_rates_a_payment_earns_nothing_but_is_listed(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    payment = (await pay(client, signing_key, officer, case, 10_000)).json()
    admin = await make_user(Role.OPERATOR_ADMIN)
    entry = await _entry(client, signing_key, admin, officer.drc_id, payment["id"])
    assert entry["amount"]["amount"] == 0 and entry["rule"] is None and entry["note"]


async def test_a_reversal_claws_the_commission_back(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    await publish_rates(client, signing_key, admin)
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=100_000)
    payment = (await pay(client, signing_key, officer, case, 40_000)).json()
    reversed_ = await client.post(
        f"/payments/{payment['id']}/reverse",
        json={"reason": "cheque bounced"},
        headers=bearer(signing_key, admin),
    )
    assert reversed_.status_code == 200
    statement = (
        await client.get(
            "/commission/statements",
            params={"drc_id": officer.drc_id, "month": this_month()},
            headers=bearer(signing_key, admin),
        )
    ).json()
    [earning] = statement["entries"]
    [clawback] = statement["clawbacks"]
    assert clawback["reverses"] == earning["id"] and clawback["payment_id"] == payment["id"]
    assert clawback["amount"] == earning["amount"] and clawback["signed_amount"] < 0
    assert clawback["note"] == "cheque bounced"
    assert reversed_.json()["reversal"]["clawback_entry_id"] == clawback["id"]
    [total] = statement["totals"]
    assert total["net"]["amount"] == 0


async def test_monthly_statement_and_who_may_read_it(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    await publish_rates(client, signing_key, admin)
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=supervisor.drc_id)
    first = await make_case("negotiation", ro=officer, arrears=100_000)
    second = await set_age(await make_case("negotiation", ro=officer, arrears=100_000), 400)
    kept = (await pay(client, signing_key, officer, first, 100_000)).json()
    undone = (await pay(client, signing_key, officer, second, 50_000)).json()
    await client.post(
        f"/payments/{undone['id']}/reverse",
        json={"reason": "paid into the wrong account"},
        headers=bearer(signing_key, admin),
    )
    # Another DRC's earnings stay out of this one's statement.
    await pay(client, signing_key, admin, await make_case("negotiation"), 10_000)
    response = await client.get(
        "/commission/statements",
        params={"month": this_month()},
        headers=bearer(signing_key, supervisor),
    )
    assert response.status_code == 200, response.text
    statement = response.json()
    assert statement["drc_id"] == supervisor.drc_id and statement["month"] == this_month()
    assert {e["payment_id"] for e in statement["entries"]} == {kept["id"], undone["id"]}
    assert [c["payment_id"] for c in statement["clawbacks"]] == [undone["id"]]
    earned = (
        100_000 * rate_of("direct_payment", 1) // 10_000
        + 50_000 * rate_of("direct_payment", 3) // 10_000
    )
    clawed = 50_000 * rate_of("direct_payment", 3) // 10_000
    assert statement["totals"] == [
        {
            "currency": "LKR",
            "earned": lkr(earned),
            "clawed_back": lkr(clawed),
            "net": {"amount": earned - clawed, "currency": "LKR"},
        }
    ]
    other = await make_drc()
    hidden = await client.get(
        "/commission/statements",
        params={"drc_id": other.id, "month": this_month()},
        headers=bearer(signing_key, supervisor),
    )
    assert hidden.status_code == 404 and hidden.json()["code"] == "drc.not_found"
    empty = await client.get(
        "/commission/statements",
        params={"drc_id": other.id, "month": this_month()},
        headers=bearer(signing_key, admin),
    )
    assert empty.status_code == 200 and empty.json()["entries"] == []
    unnamed = await client.get(
        "/commission/statements", params={"month": this_month()}, headers=bearer(signing_key, admin)
    )
    assert unnamed.status_code == 422 and unnamed.json()["code"] == "commission.drc_required"
    refused = await client.get(
        "/commission/statements",
        params={"month": this_month()},
        headers=bearer(signing_key, officer),
    )
    assert refused.status_code == 403
    earlier = await client.get(
        "/commission/statements",
        params={"month": "2001-01"},
        headers=bearer(signing_key, supervisor),
    )
    assert earlier.json()["entries"] == [] and earlier.json()["totals"] == []


async def test_cpe_earns_a_flat_fee_per_item_once():
    admin = await make_user(Role.OPERATOR_ADMIN)
    await commission.create_rate_table(
        actor=admin,
        data=RateTableCreate.model_validate(
            {"effective_from": day(-1), "rules": rules(), "cpe_fee_per_item": lkr(25_000)}
        ),
    )
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    serial = case.cpe_items[0].serial
    async with db.transaction() as session:
        entry = await commission.earn_cpe_fee(actor=None, case=case, serial=serial, session=session)
    async with db.transaction() as session:
        again = await commission.earn_cpe_fee(actor=None, case=case, serial=serial, session=session)
    assert entry is not None and again is not None and again.id == entry.id
    assert entry.amount.amount == 25_000 and entry.recovery_type == "cpe"
    assert entry.rule is not None and entry.rule.rate_bp is None
    statement = await commission.statement(actor=admin, drc_id=officer.drc_id, month=this_month())
    assert statement.totals[0].earned.amount == 25_000
