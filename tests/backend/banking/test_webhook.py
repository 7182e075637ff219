"""The bank's payment notification: signed and fresh, booked once however often it comes;
a bad signature refused (401, logged) with nothing booked."""

from __future__ import annotations

import json
import logging
import time
from datetime import UTC, datetime

from backend.banking import notifications
from backend.receipts.models import ProviderRecord, Receipt, ReceiptStatus, Source
from tests.backend.banking.statements import transaction
from tests.factories import make_account

NOW = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)


async def _post(client, bank_server, paid, **options):
    body, headers = bank_server.notification(paid, booked_at=NOW, **options)
    return await client.post("/bank/webhook", content=body, headers=headers)


async def test_a_notification_twice_books_once(client, bank_server):
    account = await make_account()
    paid = transaction(75_000, reference=account.id)
    first = await _post(client, bank_server, paid)
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "booked" and first.json()["sightings"] == 1
    second = await _post(client, bank_server, paid)
    assert second.json()["receipt_id"] == first.json()["receipt_id"]
    assert second.json()["sightings"] == 2
    [receipt] = await Receipt.find_all().to_list()
    assert receipt.status is ReceiptStatus.BOOKED and receipt.amount.amount == 75_000
    assert receipt.paid_at == NOW and receipt.account_id == account.id
    records = await ProviderRecord.find_all().to_list()
    assert [r.source for r in records] == [Source.CALLBACK, Source.CALLBACK]


async def test_a_bad_signature_is_refused_logged_and_books_nothing(client, bank_server, caplog):
    body, headers = bank_server.notification(transaction(), booked_at=NOW)
    tampered = body.replace(b'"125.00"', b'"999.00"')
    with caplog.at_level(logging.WARNING):
        answer = await client.post("/bank/webhook", content=tampered, headers=headers)
    assert answer.status_code == 401 and answer.json()["code"] == "bank.webhook_refused"
    assert "bank.webhook.refused" in caplog.text
    assert (
        bank_server.webhook_secret not in caplog.text
        and headers["x-bank-signature"] not in caplog.text
    )
    json_only = {"content-type": "application/json"}
    unsigned = await client.post("/bank/webhook", content=body, headers=json_only)
    assert unsigned.status_code == 401
    stale = await _post(client, bank_server, transaction(), timestamp=int(time.time()) - 3600)
    assert stale.status_code == 401
    assert await Receipt.count() == 0 and await ProviderRecord.count() == 0


async def test_a_debit_or_a_malformed_notification_books_nothing(client, bank_server):
    debit = await _post(client, bank_server, transaction(credit=False))
    assert debit.status_code == 200 and debit.json()["outcome"] == "debit"
    body = json.dumps({"notification_id": "N-1", "amount": "-5"}).encode()
    stamp = str(int(time.time()))
    headers = {
        "content-type": "application/json",
        "x-bank-timestamp": stamp,
        "x-bank-signature": notifications.sign(bank_server.webhook_secret, stamp, body),
    }
    malformed = await client.post("/bank/webhook", content=body, headers=headers)
    assert malformed.status_code == 422 and malformed.json()["code"] == "request.invalid"
    assert await Receipt.count() == 0 and await ProviderRecord.count() == 0
