"""Officer requests: raising, scoped lists, decisions, and validity extensions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from backend.audit.models import AuditRecord
from backend.cases.models import Case
from backend.users.models import Role
from tests.factories import bearer, make_case, make_user


async def _raise(client, key, user, case, body):
    return await client.post(f"/cases/{case.id}/requests", json=body, headers=bearer(key, user))


async def _decide(client, key, user, request_id, body):
    return await client.post(
        f"/requests/{request_id}/decision", json=body, headers=bearer(key, user)
    )


def _later(case: Case, days: int) -> str:
    return (case.validity_until + timedelta(days=days)).isoformat()


async def test_validity_extension_moves_the_case_validity(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await Case.get((await make_case("negotiation", ro=officer)).id)  # as stored
    for days, code in ((0, "request.extension_not_later"), (91, "request.extension_too_far")):
        refused = await _raise(
            client,
            signing_key,
            officer,
            case,
            {"type": "validity_extension", "requested_until": _later(case, days)},
        )
        assert refused.status_code == 422 and refused.json()["code"] == code
    missing = await _raise(client, signing_key, officer, case, {"type": "validity_extension"})
    assert missing.json()["code"] == "request.extension_date_required"
    raised = await _raise(
        client,
        signing_key,
        officer,
        case,
        {"type": "validity_extension", "requested_until": _later(case, 30), "details": "PTP"},
    )
    assert raised.status_code == 201, raised.text
    request = raised.json()
    assert request["status"] == "pending" and request["requested_by"] == officer.id
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    refused = await _decide(client, signing_key, supervisor, request["id"], {"decision": "approve"})
    assert refused.status_code == 403 and refused.json()["code"] == "request.not_approver"
    operator = await make_user(Role.OPERATOR_OFFICER)
    approved = await _decide(
        client, signing_key, operator, request["id"], {"decision": "approve", "note": "ok"}
    )
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert approved.json()["decision"]["by"] == operator.id
    stored = await Case.get(case.id)
    assert stored.validity_until == datetime.fromisoformat(_later(case, 30))
    assert stored.history[-1].action == "case.validity_extend"
    twice = await _decide(
        client, signing_key, operator, request["id"], {"decision": "reject", "note": "no"}
    )
    assert twice.status_code == 409 and twice.json()["code"] == "request.already_decided"
    actions = {r.action async for r in AuditRecord.find({"entity_type": "officer_request"})}
    assert actions == {"request.create", "request.approve"}


async def test_one_pending_letter_per_case_and_its_reference(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("mediation", ro=officer)
    first = await _raise(client, signing_key, officer, case, {"type": "mediation_board_letter"})
    assert first.status_code == 201
    again = await _raise(client, signing_key, officer, case, {"type": "mediation_board_letter"})
    assert again.status_code == 409 and again.json()["code"] == "request.duplicate_pending"
    operator = await make_user(Role.OPERATOR_ADMIN)
    request_id = first.json()["id"]
    no_ref = await _decide(client, signing_key, operator, request_id, {"decision": "approve"})
    assert (
        no_ref.status_code == 422 and no_ref.json()["code"] == "request.letter_reference_required"
    )
    issued = await _decide(
        client,
        signing_key,
        operator,
        request_id,
        {"decision": "approve", "letter_reference": "SLT/MB/2025/118"},
    )
    assert issued.json()["decision"]["letter_reference"] == "SLT/MB/2025/118"
    # decided, so a new one may be raised
    third = await _raise(client, signing_key, officer, case, {"type": "mediation_board_letter"})
    assert third.status_code == 201


async def test_other_requests_are_decided_by_the_supervisor(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    bare = await _raise(client, signing_key, officer, case, {"type": "other"})
    assert bare.status_code == 422 and bare.json()["code"] == "request.details_required"
    stray = await _raise(
        client,
        signing_key,
        officer,
        case,
        {"type": "other", "details": "x", "requested_until": _later(case, 5)},
    )
    assert stray.status_code == 422 and stray.json()["code"] == "request.inconsistent"
    raised = await _raise(
        client, signing_key, officer, case, {"type": "other", "details": "need a vehicle"}
    )
    request_id = raised.json()["id"]
    own = await _decide(client, signing_key, officer, request_id, {"decision": "approve"})
    assert own.status_code == 403
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    no_note = await _decide(client, signing_key, supervisor, request_id, {"decision": "reject"})
    assert no_note.status_code == 422 and no_note.json()["code"] == "request.note_required"
    rejected = await _decide(
        client, signing_key, supervisor, request_id, {"decision": "reject", "note": "use the van"}
    )
    assert rejected.status_code == 200 and rejected.json()["status"] == "rejected"
    stranger = await make_user(Role.DRC_SUPERVISOR)
    hidden = await _decide(client, signing_key, stranger, request_id, {"decision": "approve"})
    assert hidden.status_code == 404 and hidden.json()["code"] == "request.not_found"


async def test_a_supervisor_may_not_decide_their_own_request(client, signing_key):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    case = await make_case("negotiation", drc_id=supervisor.drc_id)
    raised = await _raise(client, signing_key, supervisor, case, {"type": "other", "details": "x"})
    assert raised.status_code == 201
    own = await _decide(
        client, signing_key, supervisor, raised.json()["id"], {"decision": "approve"}
    )
    assert own.status_code == 403 and own.json()["code"] == "request.not_approver"


async def test_requests_on_a_closed_case(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    raised = await _raise(client, signing_key, officer, case, {"type": "mediation_board_letter"})
    operator = await make_user(Role.OPERATOR_ADMIN)
    await client.post(
        f"/cases/{case.id}/withdraw",
        json={"reason": "paid at branch"},
        headers=bearer(signing_key, operator),
    )
    refused = await _raise(client, signing_key, officer, case, {"type": "other", "details": "x"})
    assert refused.status_code == 409 and refused.json()["code"] == "case.closed"
    approve = await _decide(
        client,
        signing_key,
        operator,
        raised.json()["id"],
        {"decision": "approve", "letter_reference": "L-1"},
    )
    assert approve.status_code == 409 and approve.json()["code"] == "case.closed"
    reject = await _decide(
        client, signing_key, operator, raised.json()["id"], {"decision": "reject", "note": "closed"}
    )
    assert reject.status_code == 200 and reject.json()["status"] == "rejected"


async def test_lists_are_scoped_filtered_and_paged(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    outsider = await make_user(Role.RECOVERY_OFFICER)
    mine = [await make_case("negotiation", ro=officer) for _ in range(3)]
    theirs = await make_case("negotiation", ro=colleague)
    foreign = await make_case("negotiation", ro=outsider)
    ids = {}
    for user, case in [(officer, c) for c in mine] + [(colleague, theirs), (outsider, foreign)]:
        response = await _raise(client, signing_key, user, case, {"type": "mediation_board_letter"})
        ids[str(case.id)] = response.json()["id"]
    await _raise(client, signing_key, officer, mine[0], {"type": "other", "details": "van"})

    async def listed(user, **params):
        seen, cursor = [], None
        while True:
            query = {**params, "limit": 2, **({"cursor": cursor} if cursor else {})}
            page = await client.get("/requests", params=query, headers=bearer(signing_key, user))
            assert page.status_code == 200, page.text
            seen += page.json()["items"]
            cursor = page.json()["next_cursor"]
            if not cursor:
                return seen

    own = await listed(officer)
    assert len(own) == 4 and {r["requested_by"] for r in own} == {officer.id}
    assert [r["created_at"] for r in own] == sorted((r["created_at"] for r in own), reverse=True)
    letters = await listed(officer, type="mediation_board_letter", status="pending")
    assert {r["id"] for r in letters} == {ids[str(c.id)] for c in mine}
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    assert len(await listed(supervisor)) == 5
    operator = await make_user(Role.OPERATOR_OFFICER)
    assert len(await listed(operator)) == 6
    assert await listed(operator, status="approved") == []
    one_case = await listed(operator, case_id=str(foreign.id))
    assert [r["id"] for r in one_case] == [ids[str(foreign.id)]]
    on_case = await client.get(
        f"/cases/{mine[0].id}/requests", headers=bearer(signing_key, officer)
    )
    assert len(on_case.json()["items"]) == 2
    hidden = await client.get(
        f"/requests/{ids[str(foreign.id)]}", headers=bearer(signing_key, officer)
    )
    assert hidden.status_code == 404


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "requests", None),
        ("POST", "requests", {"type": "other", "details": "x"}),
        ("POST", "requests", {"type": "nonsense"}),
    ],
)
async def test_other_drcs_get_404_before_anything_else(client, signing_key, method, suffix, body):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    for stranger in (await make_user(Role.RECOVERY_OFFICER), await make_user(Role.DRC_SUPERVISOR)):
        response = await client.request(
            method, f"/cases/{case.id}/{suffix}", json=body, headers=bearer(signing_key, stranger)
        )
        assert response.status_code == 404 and response.json()["code"] == "case.not_found"
