"""STK push end to end: DebtX asks the local Daraja to prompt a phone, the customer's
answer comes back as Daraja's callback to a running DebtX, and a payment is booked once."""

from __future__ import annotations

import base64

import pytest

from backend.devstack.daraja import CANCELLED, TIMED_OUT, WRONG_PIN, Outcome
from backend.mpesa.models import StkCallback, StkRequest, StkStatus
from backend.negotiations.models import Promise, PromiseState
from backend.payments.models import Payment, PaymentChannel
from backend.receipts.models import ProviderRecord, Receipt, ReceiptStatus
from tests.backend.mpesa.helpers import PHONE, kenyan_case, promise, push_args
from tests.backend.payments.helpers import reload
from tests.backend.syncing.helpers import Device, push_ok

JSON = {"content-type": "application/json"}


async def _queued_from_the_field(client, signing_key, case, officer, **args) -> tuple[Device, str]:
    device = Device(officer)
    mutation = device.mutation("payment.stk_push", push_args(case, **args))
    [result] = await push_ok(client, signing_key, officer, [mutation])
    assert result["status"] == "applied", result
    return device, f"sync:{device.client_id}:{mutation['mutation_id']}"


async def test_an_officer_s_push_from_the_field_books_a_payment_that_keeps_the_promise(
    client, signing_key, mpesa
):
    case, officer = await kenyan_case(500_000)
    await promise(case, officer, 100_000)
    device, request_id = await _queued_from_the_field(client, signing_key, case, officer)
    assert (await StkRequest.get(request_id)).status is StkStatus.QUEUED

    sent = await mpesa.send(request_id)
    assert sent is not None and sent.status is StkStatus.PENDING
    [session] = mpesa.server.sessions.values()
    body = session.request
    assert body["Amount"] == 1000 and body["PhoneNumber"] == "254712345678"
    assert body["TransactionType"] == "CustomerPayBillOnline"
    stamp = body["Timestamp"]
    passkey = mpesa.settings.passkey.get_secret_value()
    assert base64.b64decode(body["Password"]).decode() == f"174379{passkey}{stamp}"

    paid = await mpesa.settled(request_id)
    assert paid.status is StkStatus.PAID and paid.booking is not None
    receipt = await Receipt.get(paid.receipt_id)
    assert receipt.status is ReceiptStatus.BOOKED and receipt.case_id == str(case.id)
    assert receipt.amount.amount == 100_000 and receipt.amount.currency == "KES"
    assert receipt.phone == PHONE and receipt.transaction_id == paid.booking.transaction_id
    [payment] = await Payment.find({"case_id": str(case.id)}).to_list()
    assert payment.channel is PaymentChannel.MOBILE_MONEY
    assert payment.reference == paid.booking.transaction_id
    [kept] = await Promise.find({"case_id": str(case.id)}).to_list()
    assert kept.state is PromiseState.KEPT
    assert (await reload(case)).outstanding.amount == 400_000

    # The phone sends its queue again: the ledger answers, nobody is prompted twice
    [again] = await push_ok(client, signing_key, officer, device.queue)
    assert again["status"] == "applied"
    assert await StkRequest.count() == 1
    assert await mpesa.send(request_id) is None
    assert len(mpesa.server.sessions) == 1
    assert await _stored_with("712345678") == []


async def _stored_with(text: str) -> list[str]:
    """The collections with a stored document holding `text` (the raw documents)."""
    database = StkRequest.get_pymongo_collection().database
    return [
        name
        for name in await database.list_collection_names()
        if any([text in repr(row) async for row in database[name].find({})])
    ]


async def test_a_callback_delivered_twice_books_once(client, signing_key, mpesa):
    case, officer = await kenyan_case()
    mpesa.server.script(Outcome(deliveries=2))
    _, request_id = await _queued_from_the_field(client, signing_key, case, officer)
    await mpesa.send(request_id)
    paid = await mpesa.settled(request_id)
    [session] = mpesa.server.sessions.values()
    await _until(lambda: len(session.callbacks) == 2)
    assert session.callbacks == [200, 200]
    assert await StkCallback.count() == 2
    assert await Receipt.count() == 1 and await Payment.count() == 1
    receipt = await Receipt.get(paid.receipt_id)
    assert receipt.sightings == 2
    assert await ProviderRecord.find({"receipt_id": receipt.id}).count() == 2


async def test_a_callback_sent_before_the_push_is_answered_is_applied_once_it_is(
    client, signing_key, mpesa
):
    case, officer = await kenyan_case()
    mpesa.server.script(Outcome(early=True))
    _, request_id = await _queued_from_the_field(client, signing_key, case, officer)
    sent = await mpesa.send(request_id)
    assert sent is not None and sent.status is StkStatus.PAID
    assert (await mpesa.settled(request_id)).receipt_id is not None
    assert await Payment.count() == 1


@pytest.mark.parametrize(
    ("code", "status"),
    [
        (CANCELLED, StkStatus.CANCELLED),
        (TIMED_OUT, StkStatus.TIMED_OUT),
        (WRONG_PIN, StkStatus.WRONG_PIN),
    ],
)
async def test_a_prompt_not_paid_closes_the_request_and_books_nothing(
    client, signing_key, mpesa, code, status
):
    case, officer = await kenyan_case()
    mpesa.server.script(Outcome(result_code=code))
    _, request_id = await _queued_from_the_field(client, signing_key, case, officer)
    await mpesa.send(request_id)
    closed = await mpesa.settled(request_id, booked=False)
    assert closed.status is status and closed.result_code == str(code)
    assert closed.booking is None and closed.receipt_id is None
    assert await Receipt.count() == 0 and await Payment.count() == 0
    assert (await reload(case)).outstanding.amount == 500_000


async def test_a_callback_without_the_url_token_is_refused(client, mpesa):
    body = {"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_1", "ResultCode": 0}}}
    for params in ({}, {"token": "guessed"}):
        answer = await client.post("/mpesa/callbacks/stk", params=params, json=body)
        assert answer.status_code == 401
        assert answer.json()["code"] == "mpesa.callback_refused"
    assert await StkCallback.count() == 0


async def test_a_malformed_callback_is_refused_and_changes_nothing(client, mpesa):
    token = {"token": mpesa.settings.callback_token.get_secret_value()}
    bodies = [b"not json", b'{"Body": {}}', b'{"Body": {"stkCallback": {"ResultCode": 0}}}']
    for raw in bodies:
        answer = await client.post("/mpesa/callbacks/stk", params=token, content=raw, headers=JSON)
        assert answer.status_code in (400, 422), answer.text
    assert await StkCallback.count() == 0


async def _until(condition, seconds: float = 10) -> None:
    import asyncio

    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met in time")
