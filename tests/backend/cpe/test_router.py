"""Equipment collection: the serial check, forward-only item states, RCMP approval."""

from __future__ import annotations

import pytest

from backend.cases import service as cases
from backend.cases.models import Action, Case
from backend.core import db
from backend.customers.models import Account, CpeItem
from backend.users.models import Role
from tests.factories import bearer, make_case, make_user

AT = "2025-03-01T10:15:00+05:30"


async def _officer_case(action: Action = Action.CPE, phase: str = "assigned"):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case(phase, ro=officer, action=action)
    return officer, case


async def _add_item(case: Case, serial: str) -> Case:
    """A second device on the case and its account, as intake would have listed it."""
    item = CpeItem(serial=serial, model="DCX-3200", type="set_top_box")
    account = await Account.get(case.account_id)
    account.products[0].cpe.append(item)
    await account.save()
    async with db.transaction() as session:
        return await cases.update(
            actor=None,
            case=case,
            action="test.add_item",
            changes={"cpe_items": [*case.cpe_items, item]},
            session=session,
        )


async def _record(client, key, user, case, serial, status, **extra):
    body = {"serial": serial, "status": status, "collected_at": AT, **extra}
    return await client.post(f"/cases/{case.id}/cpe/items", json=body, headers=bearer(key, user))


async def _case_json(client, key, user, case):
    return (await client.get(f"/cases/{case.id}", headers=bearer(key, user))).json()


async def test_collecting_the_only_item_awaits_approval(client, signing_key):
    officer, case = await _officer_case()
    serial = case.cpe_items[0].serial
    response = await _record(
        client, signing_key, officer, case, serial, "collected", condition="good", photo_ref="p/1"
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["cpe_status"] == "awaiting_approval"
    [item] = body["items"]
    assert item["status"] == "collected" and item["photo_ref"] == "p/1"
    assert len(item["history"]) == 1 and item["history"][0]["recorded_by"] == officer.id
    listed = (
        await client.get(f"/cases/{case.id}/cpe", headers=bearer(signing_key, officer))
    ).json()
    assert listed["items"][0]["status"] == "collected" and listed["version"] == 1
    assert (await _case_json(client, signing_key, officer, case))[
        "cpe_status"
    ] == "awaiting_approval"


async def test_the_case_list_filters_equipment_awaiting_approval(client, signing_key):
    officer, case = await _officer_case()
    _, untouched = await _officer_case()
    await _record(client, signing_key, officer, case, case.cpe_items[0].serial, "collected")
    operator = await make_user(Role.OPERATOR_OFFICER)
    listed = await client.get(
        "/cases", params={"cpe_status": "awaiting_approval"}, headers=bearer(signing_key, operator)
    )
    assert [c["id"] for c in listed.json()["items"]] == [str(case.id)]
    opened = await client.get(
        "/cases", params={"cpe_status": "open"}, headers=bearer(signing_key, operator)
    )
    assert [c["id"] for c in opened.json()["items"]] == [str(untouched.id)]


async def test_unknown_serials_are_refused(client, signing_key):
    officer, case = await _officer_case()
    unknown = await _record(client, signing_key, officer, case, "NOPE-1", "collected")
    assert unknown.status_code == 422 and unknown.json()["code"] == "cpe.unknown_serial"
    # on the account but not on this case
    account = await Account.get(case.account_id)
    account.products[0].cpe.append(CpeItem(serial="ACC-ONLY", model="m", type="router"))
    await account.save()
    other = await _record(client, signing_key, officer, case, "ACC-ONLY", "collected")
    assert other.status_code == 422 and other.json()["code"] == "cpe.unknown_serial"
    # on the case but no longer on the account
    serial = case.cpe_items[0].serial
    account.products[0].cpe = [i for i in account.products[0].cpe if i.serial != serial]
    await account.save()
    gone = await _record(client, signing_key, officer, case, serial, "collected")
    assert gone.status_code == 422 and gone.json()["code"] == "cpe.unknown_serial"


async def test_item_states_only_move_forward(client, signing_key):
    officer, case = await _officer_case(Action.ARREARS_AND_CPE, "negotiation")
    case = await _add_item(case, "STB-1")
    serial = case.cpe_items[0].serial
    for status in ("not_available", "not_available", "lost", "collected"):
        response = await _record(client, signing_key, officer, case, serial, status)
        assert response.status_code == 200, (status, response.text)
    back = await _record(client, signing_key, officer, case, serial, "not_available")
    assert back.status_code == 409 and back.json()["code"] == "cpe.regression"
    assert back.json()["current"] == "collected"
    # damaged and collected are both in hand: the condition may be corrected
    corrected = await _record(client, signing_key, officer, case, serial, "damaged")
    assert corrected.status_code == 200
    item = next(i for i in corrected.json()["items"] if i["serial"] == serial)
    assert item["status"] == "damaged"
    assert [h["status"] for h in item["history"]] == [
        "not_available",
        "not_available",
        "lost",
        "collected",
        "damaged",
    ]
    # the second item is still open, so nothing awaits approval yet
    assert corrected.json()["cpe_status"] == "open"
    last = await _record(client, signing_key, officer, case, "STB-1", "lost")
    assert last.json()["cpe_status"] == "awaiting_approval"


async def test_nothing_in_hand_leaves_the_part_open(client, signing_key):
    officer, case = await _officer_case()
    response = await _record(
        client, signing_key, officer, case, case.cpe_items[0].serial, "not_available"
    )
    assert response.status_code == 200 and response.json()["cpe_status"] == "open"


async def test_approval_completes_the_part_and_closes_a_cpe_only_case(client, signing_key):
    officer, case = await _officer_case()
    operator = await make_user(Role.OPERATOR_OFFICER)
    await _record(client, signing_key, officer, case, case.cpe_items[0].serial, "collected")
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    for user in (officer, supervisor):
        refused = await client.post(
            f"/cases/{case.id}/cpe/approval",
            json={"decision": "approve"},
            headers=bearer(signing_key, user),
        )
        assert refused.status_code == 403
    approved = await client.post(
        f"/cases/{case.id}/cpe/approval",
        json={"decision": "approve", "reference": "RCMP-2025-001"},
        headers=bearer(signing_key, operator),
    )
    assert approved.status_code == 200, approved.text
    body = approved.json()
    assert body["cpe_status"] == "done" and body["items"][0]["approved_at"]
    assert body["approvals"][0]["reference"] == "RCMP-2025-001"
    detail = await _case_json(client, signing_key, operator, case)
    assert detail["phase"] == "closed" and detail["outcome"] == "recovered"
    again = await _record(client, signing_key, officer, case, case.cpe_items[0].serial, "lost")
    assert again.status_code == 409 and again.json()["code"] == "case.closed"


async def test_approval_leaves_open_arrears_to_finish(client, signing_key):
    officer, case = await _officer_case(Action.ARREARS_AND_CPE, "negotiation")
    operator = await make_user(Role.OPERATOR_ADMIN)
    serial = case.cpe_items[0].serial
    early = await client.post(
        f"/cases/{case.id}/cpe/approval",
        json={"decision": "approve"},
        headers=bearer(signing_key, operator),
    )
    assert early.status_code == 409 and early.json()["code"] == "cpe.not_awaiting_approval"
    await _record(client, signing_key, officer, case, serial, "collected")
    await client.post(
        f"/cases/{case.id}/cpe/approval",
        json={"decision": "approve"},
        headers=bearer(signing_key, operator),
    )
    detail = await _case_json(client, signing_key, operator, case)
    assert detail["phase"] == "negotiation" and detail["cpe_status"] == "done"
    late = await _record(client, signing_key, officer, case, serial, "collected")
    assert late.status_code == 409 and late.json()["code"] == "cpe.part_done"


async def test_rejection_sends_returned_items_back_to_open(client, signing_key):
    officer, case = await _officer_case()
    operator = await make_user(Role.OPERATOR_OFFICER)
    serial = case.cpe_items[0].serial
    await _record(client, signing_key, officer, case, serial, "damaged", condition="cracked")
    no_reason = await client.post(
        f"/cases/{case.id}/cpe/approval",
        json={"decision": "reject"},
        headers=bearer(signing_key, operator),
    )
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "cpe.reason_required"
    rejected = await client.post(
        f"/cases/{case.id}/cpe/approval",
        json={"decision": "reject", "reason": "serial plate does not match"},
        headers=bearer(signing_key, operator),
    )
    assert rejected.status_code == 200
    body = rejected.json()
    assert body["cpe_status"] == "open" and body["items"][0]["status"] == "open"
    assert body["items"][0]["history"][-1]["status"] == "open"
    assert body["approvals"][0]["decision"] == "reject"
    # collected again after the rejection: forward from open
    redo = await _record(client, signing_key, officer, case, serial, "collected")
    assert redo.status_code == 200 and redo.json()["cpe_status"] == "awaiting_approval"


async def test_a_case_without_equipment_refuses_cpe_work(client, signing_key):
    officer, case = await _officer_case(Action.ARREARS, "negotiation")
    operator = await make_user(Role.OPERATOR_OFFICER)
    recorded = await _record(client, signing_key, officer, case, "SN-ANY", "collected")
    assert recorded.status_code == 409 and recorded.json()["code"] == "cpe.not_required"
    decided = await client.post(
        f"/cases/{case.id}/cpe/approval",
        json={"decision": "approve"},
        headers=bearer(signing_key, operator),
    )
    assert decided.status_code == 409 and decided.json()["code"] == "cpe.not_required"
    view = await client.get(f"/cases/{case.id}/cpe", headers=bearer(signing_key, officer))
    assert view.json() == {**view.json(), "cpe_status": "not_required", "items": []}


async def test_colleagues_supervisor_may_record_but_colleagues_may_not(client, signing_key):
    officer, case = await _officer_case()
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    serial = case.cpe_items[0].serial
    hidden = await _record(client, signing_key, colleague, case, serial, "collected")
    assert hidden.status_code == 404
    by_supervisor = await _record(client, signing_key, supervisor, case, serial, "collected")
    assert by_supervisor.status_code == 200


@pytest.mark.parametrize(
    ("method", "suffix", "body"),
    [
        ("GET", "cpe", None),
        ("POST", "cpe/items", {"serial": "X", "status": "collected", "collected_at": AT}),
        ("POST", "cpe/items", {"unexpected": True}),
        ("POST", "cpe/approval", {"decision": "approve"}),
        ("POST", "cpe/approval", {"decision": "maybe"}),
    ],
)
async def test_other_drcs_get_404_before_anything_else(client, signing_key, method, suffix, body):
    _, case = await _officer_case()
    strangers = [
        await make_user(Role.RECOVERY_OFFICER),
        await make_user(Role.DRC_SUPERVISOR),
    ]
    for stranger in strangers:
        response = await client.request(
            method, f"/cases/{case.id}/{suffix}", json=body, headers=bearer(signing_key, stranger)
        )
        assert response.status_code == 404, (stranger.role, response.text)
        assert response.json()["code"] == "case.not_found"


async def test_approved_equipment_earns_the_drc_its_flat_fee(client, signing_key):
    from datetime import UTC, datetime

    from tests.backend.payments.helpers import lkr, publish_rates

    admin = await make_user(Role.OPERATOR_ADMIN)
    await publish_rates(client, signing_key, admin, cpe_fee_per_item=lkr(250_00))
    officer, case = await _officer_case()
    await _record(client, signing_key, officer, case, case.cpe_items[0].serial, "collected")
    await client.post(
        f"/cases/{case.id}/cpe/approval",
        json={"decision": "approve"},
        headers=bearer(signing_key, admin),
    )
    month = datetime.now(UTC).strftime("%Y-%m")
    statement = await client.get(
        "/commission/statements",
        params={"drc_id": case.drc_id, "month": month},
        headers=bearer(signing_key, admin),
    )
    assert statement.status_code == 200, statement.text
    [entry] = statement.json()["entries"]
    assert entry["cpe_serial"] == case.cpe_items[0].serial and entry["case_id"] == str(case.id)
    assert entry["amount"] == {"amount": 250_00, "currency": "LKR"}


async def test_a_collection_time_in_the_future_is_refused(client, signing_key):
    from datetime import UTC, datetime, timedelta

    officer, case = await _officer_case()
    response = await client.post(
        f"/cases/{case.id}/cpe/items",
        json={
            "serial": case.cpe_items[0].serial,
            "status": "collected",
            "collected_at": (datetime.now(UTC) + timedelta(hours=2)).isoformat(),
        },
        headers=bearer(signing_key, officer),
    )
    assert response.status_code == 422 and response.json()["code"] == (
        "request.device_time_in_future"
    )
