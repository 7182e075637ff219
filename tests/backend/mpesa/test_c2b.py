"""Paybill payments: Daraja validates them with DebtX, then confirms them, as often as
it likes; DebtX books each TransID once and refuses what it cannot take."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys

import pytest

from backend.mpesa import client as daraja
from backend.payments.models import Payment
from backend.receipts.models import ProviderRecord, Receipt, ReceiptStatus
from tests.backend.mpesa.helpers import PHONE, kenyan_case

JSON = {"content-type": "application/json"}


async def _pay(mpesa, **payment):
    return await asyncio.to_thread(mpesa.server.pay_bill, msisdn="254712345678", **payment)


async def test_a_confirmation_delivered_five_times_books_once(mpesa):
    case, _ = await kenyan_case(500_000)
    await mpesa.register_c2b()
    paid = await _pay(mpesa, amount="1500.00", bill_ref=case.account_id, repeat=5)
    assert paid.validation == {"ResultCode": 0, "ResultDesc": "Accepted"}
    assert paid.confirmations == [(200, {"ResultCode": 0, "ResultDesc": "Accepted"})] * 5
    [receipt] = await Receipt.find_all().to_list()
    assert receipt.transaction_id == paid.body["TransID"] and receipt.sightings == 5
    assert receipt.status is ReceiptStatus.BOOKED and receipt.case_id == str(case.id)
    assert receipt.amount.amount == 150_000 and receipt.amount.currency == "KES"
    assert receipt.phone == PHONE and receipt.payer == "JOHN"
    assert await ProviderRecord.find({"receipt_id": receipt.id}).count() == 5
    [payment] = await Payment.find_all().to_list()
    assert payment.amount.amount == 150_000


@pytest.mark.parametrize(
    ("payment", "code"),
    [
        ({"amount": "100", "bill_ref": "ACC-NOBODY"}, "C2B00012"),
        ({"amount": "100", "bill_ref": None, "shortcode": "600000"}, "C2B00015"),
        ({"amount": "-100", "bill_ref": None}, "C2B00013"),
        ({"amount": "1O0", "bill_ref": None}, "C2B00013"),
        ({"amount": "0.00", "bill_ref": None}, "C2B00013"),
    ],
    ids=["unknown_account", "wrong_shortcode", "negative", "not_a_number", "zero"],
)
async def test_validation_refuses_what_debtx_cannot_take(mpesa, payment, code):
    case, _ = await kenyan_case()
    await mpesa.register_c2b()
    payment = {**payment, "bill_ref": payment["bill_ref"] or case.account_id}
    refused = await _pay(mpesa, **payment)
    assert refused.validation["ResultCode"] == code
    assert refused.confirmations == []
    assert await Receipt.count() == 0 and await ProviderRecord.count() == 0


async def test_validation_accepts_any_account_when_the_policy_says_so(
    app, client, mpesa, monkeypatch
):
    lenient = mpesa.settings.model_copy(update={"validation": "accept_all"})
    monkeypatch.setattr(app.state.settings, "mpesa", lenient)
    answer = await _post(client, mpesa, "validation", _body(BillRefNumber="ANYTHING"))
    assert answer == {"ResultCode": 0, "ResultDesc": "Accepted"}


@pytest.mark.parametrize(
    "raw",
    [
        b"{not json",
        b"[1, 2]",
        b"null",
    ],
    ids=["malformed", "not_an_object", "null"],
)
async def test_an_unreadable_body_is_refused_at_both_steps(client, mpesa, raw):
    validation = await _post(client, mpesa, "validation", raw)
    assert validation == {"ResultCode": "C2B00016", "ResultDesc": "Other Error"}
    confirmation = await _post(client, mpesa, "confirmation", raw)
    assert confirmation["ResultCode"] == 1
    assert await Receipt.count() == 0 and await ProviderRecord.count() == 0


@pytest.mark.parametrize(
    "fields",
    [
        {"BusinessShortCode": "600000"},
        {"TransAmount": "-5.00"},
        {"TransAmount": "five"},
        {"TransAmount": "10.005"},
        {"TransID": ""},
        {"TransTime": "yesterday"},
    ],
    ids=["wrong_shortcode", "negative", "not_a_number", "three_decimals", "no_id", "bad_time"],
)
async def test_a_confirmation_debtx_cannot_take_is_refused_and_not_booked(client, mpesa, fields):
    answer = await _post(client, mpesa, "confirmation", _body(**fields))
    assert answer["ResultCode"] == 1 and answer["ResultDesc"].startswith("Rejected")
    assert await Receipt.count() == 0 and await ProviderRecord.count() == 0


async def test_a_confirmation_for_no_known_account_waits_in_suspense(client, mpesa):
    answer = await _post(client, mpesa, "confirmation", _body(BillRefNumber="ACC-NOBODY"))
    assert answer == {"ResultCode": 0, "ResultDesc": "Accepted"}
    [receipt] = await Receipt.find_all().to_list()
    assert receipt.status is ReceiptStatus.SUSPENSE and receipt.reference == "ACC-NOBODY"


async def test_c2b_callbacks_without_the_url_token_are_refused(client, mpesa):
    for step in ("validation", "confirmation"):
        answer = await client.post(
            f"/mpesa/callbacks/c2b/{step}", params={"token": "x"}, content=_body(), headers=JSON
        )
        assert answer.status_code == 401 and answer.json()["code"] == "mpesa.callback_refused"
    assert await ProviderRecord.count() == 0


def _body(**fields) -> bytes:
    body = {
        "TransactionType": "Pay Bill",
        "TransID": "RKTQDM7W6S",
        "TransTime": "20261204153012",
        "TransAmount": "250.00",
        "BusinessShortCode": "174379",
        "BillRefNumber": "ACC-00000001",
        "InvoiceNumber": "",
        "OrgAccountBalance": "49197.00",
        "ThirdPartyTransID": "",
        "MSISDN": "254712345678",
        "FirstName": "JOHN",
        **fields,
    }
    return json.dumps(body).encode()


async def _post(client, mpesa, step: str, raw: bytes) -> dict:
    token = mpesa.settings.callback_token.get_secret_value()
    answer = await client.post(
        f"/mpesa/callbacks/c2b/{step}", params={"token": token}, content=raw, headers=JSON
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_debtx_registers_the_urls_and_a_simulated_payment_is_booked(mpesa, live_server):
    case, _ = await kenyan_case()
    env = {
        **os.environ,
        "DEBTX_MPESA__BASE_URL": mpesa.server.base_url,
        "DEBTX_MPESA__CALLBACK_BASE_URL": live_server,
    }
    command = [sys.executable, "-m", "backend.cli", "mpesa-register"]
    done = await asyncio.to_thread(
        subprocess.run, command, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    registered = mpesa.server.registered[mpesa.settings.shortcode]
    token = mpesa.settings.callback_token.get_secret_value()
    assert registered["ConfirmationURL"] == (
        f"{live_server}/mpesa/callbacks/c2b/confirmation?token={token}"
    )
    assert token not in done.stdout + done.stderr
    body = {
        "ShortCode": mpesa.settings.shortcode,
        "CommandID": "CustomerPayBillOnline",
        "Amount": "300",
        "Msisdn": "254712345678",
        "BillRefNumber": case.account_id,
    }
    status, simulated = await daraja.call(
        mpesa.http, mpesa.settings, "/mpesa/c2b/v1/simulate", body
    )
    assert status == 200 and simulated["ResponseCode"] == "0"
    [receipt] = await Receipt.find_all().to_list()
    assert receipt.transaction_id == simulated["OriginatorCoversationID"]
    assert receipt.case_id == str(case.id) and receipt.amount.amount == 30_000
