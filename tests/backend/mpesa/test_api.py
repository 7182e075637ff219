"""Staff prompt a customer's phone through the API, each within their reach."""

from __future__ import annotations

from backend.mpesa.models import StkRequest, StkStatus
from backend.receipts.models import Receipt
from backend.users.models import Role
from tests.backend.mpesa.helpers import PHONE, kenyan_case, kes, push_args
from tests.backend.mpesa.test_stk import _queued_from_the_field
from tests.backend.syncing.helpers import Device, push_ok
from tests.factories import bearer, make_user


async def _push(client, key, actor, body):
    return await client.post("/mpesa/stk-push", json=body, headers=bearer(key, actor))


async def test_operator_staff_prompt_on_an_account_and_the_payment_is_booked_to_it(
    client, signing_key, mpesa
):
    case, _ = await kenyan_case()
    staff = await make_user(Role.OPERATOR_OFFICER)
    body = {"account_id": case.account_id, "phone": "0712345678", "amount": kes(50_000)}
    answer = await _push(client, signing_key, staff, body)
    assert answer.status_code == 201, answer.text
    made = answer.json()
    assert made["status"] == "pending" and made["phone"] == PHONE
    assert made["case_id"] is None and made["checkout_request_id"].startswith("ws_CO_")
    paid = await mpesa.settled(made["id"])
    receipt = await Receipt.get(paid.receipt_id)
    assert receipt.account_id == case.account_id and receipt.case_id == str(case.id)
    read = await client.get(f"/mpesa/stk-requests/{made['id']}", headers=bearer(signing_key, staff))
    assert read.json()["status"] == "paid" and read.json()["receipt_id"] == receipt.id


async def test_the_case_s_officer_and_supervisor_prompt_and_others_do_not_see_it(
    client, signing_key, mpesa
):
    case, officer = await kenyan_case()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=case.drc_id)
    stranger = await make_user(Role.DRC_SUPERVISOR)
    other_officer = await make_user(Role.RECOVERY_OFFICER, drc_id=case.drc_id)
    for actor in (officer, supervisor):
        answer = await _push(client, signing_key, actor, push_args(case, 10_000))
        assert answer.status_code == 201, answer.text
    assert mpesa.server.token_requests == 1  # the token is kept until it expires
    for actor in (stranger, other_officer):
        answer = await _push(client, signing_key, actor, push_args(case, 10_000))
        assert answer.status_code == 404 and answer.json()["code"] == "case.not_found"
    refused = await _push(
        client,
        signing_key,
        supervisor,
        {"account_id": case.account_id, "phone": PHONE, "amount": kes(100)},
    )
    assert refused.status_code == 403 and refused.json()["code"] == "mpesa.account_out_of_reach"
    listed = await client.get(
        f"/cases/{case.id}/stk-requests", headers=bearer(signing_key, supervisor)
    )
    assert len(listed.json()) == 2
    one = listed.json()[0]["id"]
    hidden = await client.get(f"/mpesa/stk-requests/{one}", headers=bearer(signing_key, stranger))
    assert hidden.status_code == 404 and hidden.json()["code"] == "mpesa.stk_request_not_found"


async def test_bad_requests_are_refused_and_store_nothing(client, signing_key, mpesa):
    case, officer = await kenyan_case()
    bodies = {
        "mpesa.amount_invalid": push_args(case, 10_050),
        "request.invalid": push_args(case, phone="+94771234567"),
        "mpesa.target_invalid": {**push_args(case), "account_id": case.account_id},
    }
    for code, body in bodies.items():
        answer = await _push(client, signing_key, officer, body)
        assert answer.status_code == 422 and answer.json()["code"] == code, answer.text
    lkr = {**push_args(case), "amount": {"amount": 10_000, "currency": "LKR"}}
    answer = await _push(client, signing_key, officer, lkr)
    assert answer.json()["code"] == "mpesa.amount_invalid"
    assert await StkRequest.count() == 0 and mpesa.server.received == []


async def test_a_push_daraja_refuses_or_cannot_take_is_closed_as_failed(
    app, client, signing_key, mpesa, monkeypatch
):
    case, officer = await kenyan_case()
    wrong = mpesa.settings.model_copy(update={"passkey": mpesa.settings.consumer_key})
    monkeypatch.setattr(app.state.settings, "mpesa", wrong)
    refused = await _push(client, signing_key, officer, push_args(case))
    assert refused.status_code == 502 and refused.json()["code"] == "mpesa.refused"
    down = mpesa.settings.model_copy(update={"base_url": "http://127.0.0.1:9"})
    monkeypatch.setattr(app.state.settings, "mpesa", down)
    unavailable = await _push(client, signing_key, officer, push_args(case))
    assert unavailable.status_code == 503 and unavailable.json()["code"] == "mpesa.unavailable"
    statuses = [r.status for r in await StkRequest.find_all().to_list()]
    assert statuses == [StkStatus.FAILED, StkStatus.FAILED]


async def test_a_field_push_the_rules_refuse_is_rejected_and_stores_nothing(
    client, signing_key, mpesa
):
    case, officer = await kenyan_case()
    device = Device(officer)
    device.mutation("payment.stk_push", push_args(case, 10_001))
    [result] = await push_ok(client, signing_key, officer, device.queue)
    assert result["status"] == "rejected" and result["code"] == "mpesa.amount_invalid"
    other = await make_user(Role.RECOVERY_OFFICER, drc_id=case.drc_id)
    await _queued_from_the_field(client, signing_key, case, officer)
    device = Device(other)
    device.mutation("payment.stk_push", push_args(case))
    [result] = await push_ok(client, signing_key, other, device.queue)
    assert result["status"] == "quarantined"
    assert await StkRequest.count() == 1
