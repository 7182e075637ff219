"""BSS's push: signed over `timestamp.body` and fresh, or refused whole with nothing changed."""

from __future__ import annotations

import json
import time

from backend.billing.models import FeedBatch, Invoice
from backend.oss import signing
from tests.backend.billing.helpers import invoice_record


def _signed(settings, body: bytes, *, at: int | None = None, secret: str | None = None):
    stamp = str(at if at is not None else int(time.time()))
    key = secret or settings.billing.webhook_secret.get_secret_value()
    return {
        "content-type": "application/json",
        "x-bss-timestamp": stamp,
        "x-bss-signature": signing.sign(key, stamp, body),
    }


def _body(*records) -> bytes:
    return json.dumps({"records": list(records)}).encode()


async def test_a_signed_push_takes_each_record(client, settings):
    body = _body(
        invoice_record("I1", amount="100.00"),
        invoice_record("I2", amount=75.25),
        {"kind": "invoice", "id": "I3"},
    )
    answer = await client.post("/billing/webhook", content=body, headers=_signed(settings, body))

    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["origin"] == "webhook" and report["counts"] == {"created": 2, "refused": 1}
    assert (await Invoice.get("I2")).amount.amount == 7_525

    replay = await client.post("/billing/webhook", content=body, headers=_signed(settings, body))
    assert replay.json()["counts"] == {"unchanged": 2, "refused": 1}


async def test_a_bad_signature_is_refused_and_changes_nothing(client, settings):
    body = _body(invoice_record("I1"))
    wrong = _signed(settings, body, secret="another-secret-entirely-0000000000")
    tampered = {**_signed(settings, body), "content-type": "application/json"}
    cases = [
        wrong,
        {"content-type": "application/json"},
        {**_signed(settings, body), "x-bss-timestamp": "soon"},
    ]
    for headers in cases:
        answer = await client.post("/billing/webhook", content=body, headers=headers)
        assert answer.status_code == 401 and answer.json()["code"] == "billing.webhook_refused"
    changed = body.replace(b"1000.00", b"1.00")
    answer = await client.post("/billing/webhook", content=changed, headers=tampered)
    assert answer.status_code == 401
    assert await Invoice.count() == 0 and await FeedBatch.count() == 0


async def test_a_stale_timestamp_is_refused(client, settings):
    body = _body(invoice_record("I1"))
    old = int(time.time()) - settings.billing.webhook_window_seconds - 5
    answer = await client.post(
        "/billing/webhook", content=body, headers=_signed(settings, body, at=old)
    )
    assert answer.status_code == 401 and "window" in answer.json()["detail"]
    assert await Invoice.count() == 0


async def test_a_malformed_signed_body_is_a_problem(client, settings):
    for body in (b"{not json", b'{"records": []}', b'{"records": [1]}', b'{"other": 1}'):
        answer = await client.post(
            "/billing/webhook", content=body, headers=_signed(settings, body)
        )
        assert answer.status_code == 422, body
    assert await Invoice.count() == 0
