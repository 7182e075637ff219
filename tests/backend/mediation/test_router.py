"""Mediation board: escalation, hearings, submissions, outcomes and the operator's decision."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.audit.models import AuditRecord
from backend.users.models import Role
from tests.factories import bearer, make_case, make_user


def _at(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


async def _post(client, key, user, case, suffix, body):
    return await client.post(f"/cases/{case.id}/{suffix}", json=body, headers=bearer(key, user))


async def _in_mediation(client, key, *, first_hearing_days: float | None = 3):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    body = {"reason": "customer refuses every instalment plan"}
    if first_hearing_days is not None:
        body["first_hearing_at"] = _at(first_hearing_days)
    response = await _post(client, key, officer, case, "mediation", body)
    assert response.status_code == 200, response.text
    return officer, case


def _hearing(outcome: str, **extra) -> dict:
    return {"held_at": _at(-0.1), "attendance": "present", "outcome": outcome, **extra}


async def test_escalation_opens_the_board_file(client, signing_key):
    officer, case = await _in_mediation(client, signing_key)
    file = await client.get(f"/cases/{case.id}/mediation", headers=bearer(signing_key, officer))
    body = file.json()
    assert body["phase"] == "mediation" and body["next_hearing_at"] is not None
    [escalation] = body["escalations"]
    assert escalation["from_phase"] == "negotiation" and escalation["by"] == officer.id
    assert await AuditRecord.find({"action": "mediation.escalate"}).count() == 2  # file + case


async def test_only_negotiation_or_settlement_escalates(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    assigned = await make_case("assigned", ro=officer)
    refused = await _post(
        client, signing_key, officer, assigned, "mediation", {"reason": "no contact at all"}
    )
    assert refused.status_code == 409 and refused.json()["code"] == "mediation.not_escalatable"
    settlement = await make_case("settlement", ro=officer)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    moved = await _post(
        client, signing_key, supervisor, settlement, "mediation", {"reason": "plan defaulted"}
    )
    assert moved.status_code == 200 and moved.json()["escalations"][0]["from_phase"] == "settlement"
    past = await _post(
        client,
        signing_key,
        officer,
        await make_case("negotiation", ro=officer),
        "mediation",
        {"reason": "refuses", "first_hearing_at": _at(-2)},
    )
    assert past.status_code == 422 and past.json()["code"] == "mediation.hearing_date_invalid"


async def test_hearings_and_submissions_append(client, signing_key):
    officer, case = await _in_mediation(client, signing_key)
    adjourned = await _post(
        client,
        signing_key,
        officer,
        case,
        "mediation/hearings",
        _hearing("adjourned", next_hearing_at=_at(10), notes="board asked for bills"),
    )
    assert adjourned.status_code == 201, adjourned.text
    absent = await _post(
        client,
        signing_key,
        officer,
        case,
        "mediation/hearings",
        _hearing("customer_absent", attendance="absent", next_hearing_at=_at(20)),
    )
    submitted = await _post(
        client,
        signing_key,
        officer,
        case,
        "mediation/submissions",
        {"type": "statement", "reference": "MB/COL/2025/0042", "notes": "bill history"},
    )
    assert absent.status_code == submitted.status_code == 201
    body = submitted.json()
    assert [h["outcome"] for h in body["hearings"]] == ["adjourned", "customer_absent"]
    assert body["submissions"][0]["reference"] == "MB/COL/2025/0042"
    # stored to the millisecond, as MongoDB keeps dates
    assert body["next_hearing_at"][:23] == absent.json()["next_hearing_at"][:23]
    assert body["phase"] == "mediation"


async def test_inconsistent_hearings_are_refused(client, signing_key):
    officer, case = await _in_mediation(client, signing_key)
    cases_ = [
        (_hearing("settled", next_hearing_at=_at(5)), "mediation.hearing_inconsistent"),
        (_hearing("settled", attendance="absent"), "mediation.hearing_inconsistent"),
        (_hearing("adjourned", recommendation="legal"), "mediation.hearing_inconsistent"),
        (_hearing("adjourned", next_hearing_at=_at(-1)), "mediation.hearing_date_invalid"),
        (_hearing("failed"), "mediation.recommendation_required"),
        (_hearing("failed", recommendation="legal"), "mediation.recommendation_required"),
    ]
    for body, code in cases_:
        response = await _post(client, signing_key, officer, case, "mediation/hearings", body)
        assert response.status_code == 422 and response.json()["code"] == code, body
    file = await client.get(f"/cases/{case.id}/mediation", headers=bearer(signing_key, officer))
    assert file.json()["hearings"] == []


def _plan(case) -> dict:
    """Three monthly instalments adding up to what is outstanding."""
    from datetime import UTC, datetime, timedelta

    total = case.outstanding.amount
    parts = [total // 3, total // 3, total - 2 * (total // 3)]
    today = datetime.now(UTC).date()
    return {
        "kind": "instalments",
        "total": {"amount": total, "currency": "LKR"},
        "instalments": [
            {
                "amount": {"amount": a, "currency": "LKR"},
                "due_date": (today + timedelta(days=30 * (i + 1))).isoformat(),
            }
            for i, a in enumerate(parts)
        ],
    }


async def test_settled_hearing_moves_the_case_to_settlement(client, signing_key):
    officer, case = await _in_mediation(client, signing_key)
    response = await _post(
        client,
        signing_key,
        officer,
        case,
        "mediation/hearings",
        _hearing(
            "settled",
            attendance="represented",
            notes="pays in 3 instalments",
            settlement=_plan(case),
        ),
    )
    assert response.status_code == 201, response.text
    assert response.json()["phase"] == "settlement" and response.json()["next_hearing_at"] is None
    settlements = await client.get(
        f"/cases/{case.id}/settlements", headers=bearer(signing_key, officer)
    )
    [plan] = settlements.json()
    assert plan["source"] == "mediation" and len(plan["instalments"]) == 3
    unsettled = await _post(
        client,
        signing_key,
        officer,
        case,
        "mediation/hearings",
        _hearing("settled", attendance="represented"),
    )
    assert unsettled.status_code in (409, 422)
    late = await _post(
        client, signing_key, officer, case, "mediation/hearings", _hearing("adjourned")
    )
    assert late.status_code == 409 and late.json()["code"] == "mediation.not_in_mediation"
    submission = await _post(
        client,
        signing_key,
        officer,
        case,
        "mediation/submissions",
        {"type": "document", "reference": "R-1"},
    )
    assert submission.status_code == 409


async def _failed(client, key, recommendation: str):
    officer, case = await _in_mediation(client, key)
    response = await _post(
        client,
        key,
        officer,
        case,
        "mediation/hearings",
        _hearing(
            "failed", recommendation=recommendation, justification="no means and no assets found"
        ),
    )
    assert response.status_code == 201, response.text
    assert response.json()["phase"] == "legal_review"
    assert response.json()["recommendation"]["kind"] == recommendation
    return officer, case


@pytest.mark.parametrize(("kind", "outcome"), [("legal", "legal"), ("write_off", "written_off")])
async def test_operator_approves_a_recommendation(client, signing_key, kind, outcome):
    officer, case = await _failed(client, signing_key, kind)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    for user in (officer, supervisor):
        refused = await _post(
            client, signing_key, user, case, "legal-review/decision", {"decision": "approve"}
        )
        assert refused.status_code == 403
    operator = await make_user(Role.OPERATOR_ADMIN)
    approved = await _post(
        client, signing_key, operator, case, "legal-review/decision", {"decision": "approve"}
    )
    assert approved.status_code == 200 and approved.json()["phase"] == "closed"
    assert approved.json()["decisions"][0]["recommendation"]["kind"] == kind
    detail = (await client.get(f"/cases/{case.id}", headers=bearer(signing_key, operator))).json()
    assert detail["outcome"] == outcome
    twice = await _post(
        client, signing_key, operator, case, "legal-review/decision", {"decision": "approve"}
    )
    assert twice.status_code == 409 and twice.json()["code"] == "mediation.not_in_legal_review"


async def test_operator_rejects_a_recommendation_back_to_mediation(client, signing_key):
    officer, case = await _failed(client, signing_key, "write_off")
    operator = await make_user(Role.OPERATOR_OFFICER)
    no_reason = await _post(
        client, signing_key, operator, case, "legal-review/decision", {"decision": "reject"}
    )
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "mediation.reason_required"
    rejected = await _post(
        client,
        signing_key,
        operator,
        case,
        "legal-review/decision",
        {"decision": "reject", "reason": "customer has a second connection; try once more"},
    )
    body = rejected.json()
    assert rejected.status_code == 200 and body["phase"] == "mediation"
    assert body["recommendation"] is None and body["decisions"][0]["decision"] == "reject"
    again = await _post(
        client,
        signing_key,
        officer,
        case,
        "mediation/hearings",
        _hearing("adjourned", next_hearing_at=_at(7)),
    )
    assert again.status_code == 201


async def test_upcoming_hearings_within_reach(client, signing_key):
    officer, soon = await _in_mediation(client, signing_key, first_hearing_days=2)
    _, far = await _in_mediation(client, signing_key, first_hearing_days=30)
    other_officer, other = await _in_mediation(client, signing_key, first_hearing_days=1)
    mine = await make_case("negotiation", ro=officer)
    await _post(
        client,
        signing_key,
        officer,
        mine,
        "mediation",
        {"reason": "refuses", "first_hearing_at": _at(5)},
    )
    listed = await client.get("/mediation/hearings/upcoming", headers=bearer(signing_key, officer))
    assert listed.status_code == 200
    assert [h["case_id"] for h in listed.json()] == [str(soon.id), str(mine.id)]
    assert listed.json()[0]["customer_name"] and listed.json()[0]["overdue"] is False
    operator = await make_user(Role.OPERATOR_OFFICER)
    wide = await client.get(
        "/mediation/hearings/upcoming", params={"days": 60}, headers=bearer(signing_key, operator)
    )
    assert [h["case_id"] for h in wide.json()] == [str(c.id) for c in (other, soon, mine, far)]
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=other_officer.drc_id)
    theirs = await client.get(
        "/mediation/hearings/upcoming", headers=bearer(signing_key, supervisor)
    )
    assert [h["case_id"] for h in theirs.json()] == [str(other.id)]
    bad = await client.get(
        "/mediation/hearings/upcoming", params={"days": 0}, headers=bearer(signing_key, officer)
    )
    assert bad.status_code == 422


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "mediation", None),
        ("POST", "mediation", {"reason": "refuses to pay"}),
        ("POST", "mediation", {"reason": 5}),
        ("POST", "mediation/hearings", _hearing("adjourned")),
        ("POST", "mediation/hearings", {}),
        ("POST", "mediation/submissions", {"type": "document", "reference": "R-1"}),
        ("POST", "legal-review/decision", {"decision": "approve"}),
        ("POST", "legal-review/decision", {"decision": "perhaps"}),
    ],
)
async def test_other_drcs_get_404_before_anything_else(client, signing_key, method, suffix, body):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("mediation", ro=officer)
    for stranger in (
        await make_user(Role.RECOVERY_OFFICER),
        await make_user(Role.DRC_SUPERVISOR),
        await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id),
    ):
        response = await client.request(
            method, f"/cases/{case.id}/{suffix}", json=body, headers=bearer(signing_key, stranger)
        )
        if stranger.role is Role.RECOVERY_OFFICER or stranger.drc_id != officer.drc_id:
            assert response.status_code == 404, (stranger.role, response.text)
            assert response.json()["code"] == "case.not_found"


async def test_escalating_from_settlement_supersedes_the_active_settlement(client, signing_key):
    from backend.settlements.models import Settlement, SettlementStatus
    from tests.backend.payments.helpers import lump_sum, pay, settle

    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    agreed = await settle(client, signing_key, officer, case, lump_sum(case.outstanding.amount))
    assert agreed.status_code == 201, agreed.text
    escalated = await _post(
        client,
        signing_key,
        officer,
        case,
        "mediation",
        {"reason": "the customer walked away from the agreement"},
    )
    assert escalated.status_code == 200, escalated.text
    [settlement] = await Settlement.find({"case_id": str(case.id)}).to_list()
    assert settlement.status is SettlementStatus.SUPERSEDED
    paid = await pay(client, signing_key, officer, case, 1_000_00)
    assert paid.status_code == 201, paid.text
    assert (await Settlement.get(settlement.id)).instalments[0].paid.amount == 0


async def test_a_hearing_in_the_future_cannot_be_recorded(client, signing_key):
    officer, case = await _in_mediation(client, signing_key)
    response = await _post(
        client,
        signing_key,
        officer,
        case,
        "mediation/hearings",
        {**_hearing("adjourned"), "held_at": _at(2)},
    )
    assert response.status_code == 422
    assert response.json()["code"] == "request.device_time_in_future"
