from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.cases import service as cases
from backend.core import db
from backend.negotiations import service as negotiations
from backend.users import service as users
from backend.users.models import Role
from tests.backend.payments.helpers import day, lkr, now_iso, pay, reload
from tests.factories import bearer, make_case, make_user


def contact(**fields) -> dict:
    return {
        "contacted_at": now_iso(),
        "channel": "call",
        "result": "reached",
        "outcome": "refused",
        **fields,
    }


def promise(amount: int = 50_000, due: int = 3) -> dict:
    return contact(outcome="promise_to_pay", promise={"amount": lkr(amount), "due_date": day(due)})


async def record(client, key, actor, case, body):
    return await client.post(
        f"/cases/{case.id}/negotiations", json=body, headers=bearer(key, actor)
    )


async def test_first_record_moves_the_case_into_negotiation(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    follow_up = now_iso(timedelta(days=2))
    response = await record(
        client, signing_key, officer, case, contact(next_follow_up=follow_up, notes="will call")
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["outcome"] == "refused" and body["officer_id"] == officer.id
    case = await reload(case)
    assert case.phase == "negotiation"
    assert case.history[-1].action == "negotiation.start"
    assert abs(case.next_follow_up - datetime.fromisoformat(follow_up)) < timedelta(seconds=1)
    listed = await client.get(
        f"/cases/{case.id}/negotiations", headers=bearer(signing_key, officer)
    )
    assert [r["id"] for r in listed.json()["items"]] == [body["id"]]


async def test_later_records_keep_the_phase_and_move_the_follow_up(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    first = now_iso(timedelta(days=4))
    assert (
        await record(client, signing_key, supervisor, case, contact(next_follow_up=first))
    ).status_code == 201
    # A record synced late (older contact) does not move the follow-up back.
    late = contact(
        contacted_at=now_iso(-timedelta(minutes=2)),
        next_follow_up=now_iso(timedelta(days=1)),
        channel="visit",
        result="not_at_premises",
        outcome="unreachable",
    )
    assert (await record(client, signing_key, officer, case, late)).status_code == 201
    case = await reload(case)
    assert case.phase == "negotiation"
    assert case.next_follow_up.date() == (datetime.now(UTC) + timedelta(days=4)).date()
    page = (
        await client.get(
            f"/cases/{case.id}/negotiations",
            params={"limit": 1},
            headers=bearer(signing_key, officer),
        )
    ).json()
    assert page["items"][0]["channel"] == "call" and page["next_cursor"]
    rest = (
        await client.get(
            f"/cases/{case.id}/negotiations",
            params={"limit": 1, "cursor": page["next_cursor"]},
            headers=bearer(signing_key, officer),
        )
    ).json()
    assert rest["items"][0]["channel"] == "visit" and rest["next_cursor"] is None


async def test_promise_to_pay_opens_a_promise_and_follows_up_on_its_day(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    response = await record(client, signing_key, officer, case, promise(40_000, due=5))
    assert response.status_code == 201, response.text
    made = response.json()["promise"]
    assert made["state"] == "open" and made["amount"]["amount"] == 40_000
    assert made["paid"]["amount"] == 0 and made["due_date"] == day(5)
    assert (await reload(case)).next_follow_up.date().isoformat() == day(5)


# Bodies are built when the test runs: times are relative to the case being created.
RULES = {
    "contact_in_future": (
        lambda: contact(contacted_at=now_iso(timedelta(hours=1))),
        "negotiation.contacted_at_invalid",
    ),
    "contact_before_case": (
        lambda: contact(contacted_at="2001-01-01T00:00:00Z"),
        "negotiation.contacted_at_invalid",
    ),
    "promise_missing": (
        lambda: contact(outcome="promise_to_pay"),
        "negotiation.outcome_inconsistent",
    ),
    "promise_without_outcome": (
        lambda: {**promise(), "outcome": "refused"},
        "negotiation.outcome_inconsistent",
    ),
    "dispute_without_reason": (
        lambda: contact(outcome="dispute_raised"),
        "negotiation.outcome_inconsistent",
    ),
    "unreachable_but_reached": (
        lambda: contact(outcome="unreachable"),
        "negotiation.outcome_inconsistent",
    ),
    "refused_but_not_reached": (
        lambda: contact(result="no_answer"),
        "negotiation.outcome_inconsistent",
    ),
    "promise_of_nothing": (lambda: promise(amount=0), "negotiation.promise_invalid"),
    "promise_above_outstanding": (
        lambda: promise(amount=150_001),
        "negotiation.promise_invalid",
    ),
    "promise_due_yesterday": (lambda: promise(due=-1), "negotiation.promise_invalid"),
    "promise_beyond_a_year": (lambda: promise(due=400), "negotiation.promise_invalid"),
    "promise_in_other_currency": (
        lambda: {
            **promise(),
            "promise": {"amount": {"amount": 10, "currency": "USD"}, "due_date": day(2)},
        },
        "negotiation.promise_invalid",
    ),
    "follow_up_before_contact": (
        lambda: contact(next_follow_up=now_iso(-timedelta(hours=1))),
        "negotiation.follow_up_invalid",
    ),
}


@pytest.mark.parametrize("rule", sorted(RULES))
async def test_records_breaking_a_rule_are_refused(client, signing_key, rule):
    build, code = RULES[rule]
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer, arrears=150_000)
    response = await record(client, signing_key, officer, case, build())
    assert response.status_code == 422, response.text
    assert response.json()["code"] == code
    assert (await reload(case)).phase == "assigned"


async def test_a_dispute_carries_its_reason(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    body = contact(outcome="dispute_raised", dispute_reason="billed after disconnection")
    response = await record(client, signing_key, officer, case, body)
    assert response.status_code == 201
    assert response.json()["dispute_reason"] == "billed after disconnection"


async def test_only_the_holder_or_supervisor_records(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    operator = await make_user(Role.OPERATOR_OFFICER)
    refused = await record(client, signing_key, operator, case, contact())
    assert refused.status_code == 403 and refused.json()["code"] == "case.not_holder"
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    allocated = await make_case("allocated", drc_id=officer.drc_id)
    early = await record(client, signing_key, supervisor, allocated, contact())
    assert early.status_code == 409 and early.json()["code"] == "negotiation.not_assigned"
    closed = await make_case("closed")
    admin = await make_user(Role.OPERATOR_ADMIN)
    hidden = await client.get(
        f"/cases/{closed.id}/negotiations", headers=bearer(signing_key, admin)
    )
    assert hidden.status_code == 200 and hidden.json()["items"] == []


async def test_officers_of_other_drcs_get_404_before_validation(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    stranger = await make_user(Role.RECOVERY_OFFICER)
    posted = await record(client, signing_key, stranger, case, {"nonsense": True})
    assert posted.status_code == 404 and posted.json()["code"] == "case.not_found"
    listed = await client.get(
        f"/cases/{case.id}/negotiations", headers=bearer(signing_key, stranger)
    )
    assert listed.status_code == 404


async def test_active_negotiations_within_reach(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    soon = await make_case("negotiation", ro=officer)
    later = await make_case("negotiation", ro=officer)
    promised = await make_case("negotiation", ro=officer)
    theirs = await make_case("negotiation", ro=colleague)
    quiet = await make_case("negotiation", ro=officer)  # no follow-up, no promise
    elsewhere = await make_case("negotiation")  # another DRC's
    stranger = await users.by_uid(elsewhere.ro_id)
    await record(
        client, signing_key, officer, later, contact(next_follow_up=now_iso(timedelta(days=9)))
    )
    await record(
        client, signing_key, officer, soon, contact(next_follow_up=now_iso(timedelta(days=1)))
    )
    await record(client, signing_key, officer, promised, promise(due=4))
    await record(
        client, signing_key, colleague, theirs, contact(next_follow_up=now_iso(timedelta(days=2)))
    )
    await record(
        client, signing_key, stranger, elsewhere, contact(next_follow_up=now_iso(timedelta(days=2)))
    )
    # An open promise keeps a case active even when its follow-up was cleared.
    async with db.transaction() as session:
        fresh = await cases.get_unscoped(str(promised.id), session=session)
        await cases.update(
            actor=None,
            case=fresh,
            action="test.clear",
            changes={"next_follow_up": None},
            session=session,
        )
    seen, cursor = [], None
    while True:
        params = {"limit": 1, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get(
                "/negotiations/active", params=params, headers=bearer(signing_key, officer)
            )
        ).json()
        seen += page["items"]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert [i["case_id"] for i in seen] == [str(promised.id), str(soon.id), str(later.id)]
    assert seen[0]["open_promises"][0]["state"] == "open"
    assert seen[0]["last_contact"]["promise"]["due_date"] == day(4)
    assert str(quiet.id) not in {i["case_id"] for i in seen}
    team = (
        await client.get("/negotiations/active", headers=bearer(signing_key, supervisor))
    ).json()
    assert {i["case_id"] for i in team["items"]} == {
        str(c.id) for c in (soon, later, promised, theirs)
    }


async def test_payment_by_the_due_day_keeps_the_promise(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    made = (await record(client, signing_key, officer, case, promise(30_000, due=2))).json()
    assert (await pay(client, signing_key, officer, case, 10_000)).status_code == 201
    partly = await _promise(client, signing_key, officer, case, made["id"])
    assert partly["state"] == "open" and partly["paid"]["amount"] == 10_000
    second = await pay(client, signing_key, officer, case, 25_000)
    assert second.json()["recovery_type"] == "promise_payment"
    assert second.json()["promises"] == [
        {"promise_id": made["promise"]["id"], "amount": lkr(20_000), "kept": True}
    ]
    kept = await _promise(client, signing_key, officer, case, made["id"])
    assert kept["state"] == "kept" and kept["kept_at"]
    # A kept promise is not broken by the daily check.
    assert (
        await negotiations.break_overdue_promises(
            today=datetime.now(UTC).date() + timedelta(days=5)
        )
        == 0
    )


async def test_unpaid_promise_is_broken_after_its_day(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    made = (await record(client, signing_key, officer, case, promise(30_000, due=1))).json()
    await pay(client, signing_key, officer, case, 5_000)
    today = datetime.now(UTC).date()
    assert await negotiations.break_overdue_promises(today=today + timedelta(days=1)) == 0
    assert await negotiations.break_overdue_promises(today=today + timedelta(days=2)) == 1
    broken = await _promise(client, signing_key, officer, case, made["id"])
    assert broken["state"] == "broken" and broken["paid"]["amount"] == 5_000
    active = (await client.get("/negotiations/active", headers=bearer(signing_key, officer))).json()
    assert active["items"][0]["open_promises"] == []


async def _promise(client, key, actor, case, negotiation_id):
    items = (await client.get(f"/cases/{case.id}/negotiations", headers=bearer(key, actor))).json()[
        "items"
    ]
    return next(i for i in items if i["id"] == negotiation_id)["promise"]


async def test_a_dispute_raised_in_the_field_holds_collection_contact(client, signing_key):
    from backend.customers.models import Customer

    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    body = contact(outcome="dispute_raised", dispute_reason="says the router was returned")
    response = await record(client, signing_key, officer, case, body)
    assert response.status_code == 201, response.text
    customer = await Customer.get(case.customer_id)
    assert customer.dispute is not None and customer.dispute.opened_by == officer.id
    assert "router was returned" in customer.dispute.reason
    # A second report keeps the first dispute as it is.
    again = contact(outcome="dispute_raised", dispute_reason="again")
    assert (await record(client, signing_key, officer, case, again)).status_code == 201
    assert (await Customer.get(case.customer_id)).dispute.reason == customer.dispute.reason


async def test_a_case_changed_after_the_route_loaded_it_is_a_409_to_retry(
    client, signing_key, monkeypatch
):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    loaded = cases.get_for

    async def changed_meanwhile(**kwargs):
        """The route loads the case once; the office changes it before the write."""
        found = await loaded(**kwargs)
        async with db.transaction() as session:
            await cases.update(
                actor=officer,
                case=await reload(case),
                action="case.note",
                changes={"region": "Elsewhere"},
                session=session,
            )
        return found

    monkeypatch.setattr(cases, "get_for", changed_meanwhile)
    response = await record(client, signing_key, officer, case, contact())
    assert response.status_code == 409 and response.json()["code"] == "case.changed"
    monkeypatch.undo()
    assert (await reload(case)).contacts is None  # nothing of the refused contact was counted
    assert (await record(client, signing_key, officer, case, contact())).status_code == 201
