"""The card provider's signed webhook: refused when the signature, the timestamp or the
body is wrong (nothing booked, the secret never logged); booked once however often, and in
whatever order, it is told; refunds recorded against the charge's receipt."""

from __future__ import annotations

import asyncio
import time

import pytest
from structlog.testing import capture_logs

from backend.cards.models import CardEvent
from backend.customers.models import Customer
from backend.disputes.models import BillingDispute
from backend.payments.models import Payment, PaymentStatus
from backend.receipts.models import ProviderRecord, Receipt
from tests.backend.disputes.conftest import settle_one
from tests.backend.receipts.helpers import open_case


async def _nothing_booked() -> None:
    assert await Receipt.find_all().count() == 0
    assert await ProviderRecord.find_all().count() == 0
    assert await CardEvent.find_all().count() == 0


async def test_a_bad_signature_is_refused_and_books_nothing(cards, settings):
    case = await open_case()
    event = cards.server.event(
        "charge.succeeded", cards.server.charge(20_000, account_number=case.account_id)
    )
    with capture_logs() as logs:
        refused = await cards.deliver(event, secret="not-the-provider's-secret")
    assert refused.status_code == 401 and refused.json()["code"] == "cards.signature_invalid"
    body, headers = cards.server.signed(event)
    tampered = body.replace(b"20000", b"2000000")
    forged = await cards.client.post("/cards/webhook", content=tampered, headers=headers)
    unsigned = await cards.client.post(
        "/cards/webhook", content=body, headers={"content-type": "application/json"}
    )
    assert forged.status_code == 401 and unsigned.status_code == 401
    await _nothing_booked()
    secret = settings.cards.webhook_secret.get_secret_value()
    assert any(entry["event"] == "cards.webhook.refused" for entry in logs)
    assert secret not in repr(logs) and headers["x-card-signature"] not in repr(logs)


async def test_a_stale_or_future_timestamp_is_refused(cards):
    event = cards.server.event("charge.succeeded", cards.server.charge(5_000))
    for stamp in (int(time.time()) - 301, int(time.time()) + 301):
        refused = await cards.deliver(event, timestamp=stamp)
        assert refused.status_code == 400 and refused.json()["code"] == "cards.timestamp_stale"
    await _nothing_booked()


@pytest.mark.parametrize(
    "charge",
    [{"amount": -500}, {"amount": "5000"}, {"amount": 12.5}, {"currency": "rupees"}, {"id": None}],
)
async def test_a_charge_that_cannot_be_read_is_refused(cards, charge):
    event = cards.server.event("charge.succeeded", {**cards.server.charge(5_000), **charge})
    refused = await cards.deliver(event)
    assert refused.status_code == 400 and refused.json()["code"] == "cards.event_malformed"
    await _nothing_booked()


async def test_a_charge_told_twice_is_booked_once(cards):
    case = await open_case(arrears=50_000)
    charge = cards.server.charge(20_000, account_number=case.account_id, name="A. Perera")
    event = cards.server.event("charge.succeeded", charge)
    first = await cards.deliver(event)
    assert first.status_code == 200, first.text
    assert first.json()["outcome"] == "booked" and first.json()["receipt_status"] == "booked"
    again = await cards.deliver(event)
    assert again.status_code == 200 and again.json()["outcome"] == "already_processed"
    # the provider's retry of the same event with a new timestamp, then another event id
    retried = await cards.deliver(event, timestamp=int(time.time()) + 5)
    assert retried.json()["outcome"] == "already_processed"
    other = await cards.deliver(cards.server.event("charge.succeeded", charge))
    assert (
        other.json()["outcome"] == "booked" and other.json()["receipt_id"] == f"card:{charge['id']}"
    )
    payments = await Payment.find({"case_id": str(case.id)}).to_list()
    assert [(p.amount.amount, p.channel.value, p.reference) for p in payments] == [
        (20_000, "card", charge["id"].upper())
    ]
    receipt = await Receipt.get(f"card:{charge['id']}")
    assert receipt.sightings == 2 and receipt.payer == "A. Perera"


async def test_other_events_are_acknowledged_and_ignored(cards):
    event = cards.server.event("customer.created", {"id": "cus_123"})
    answered = await cards.deliver(event)
    assert answered.status_code == 200 and answered.json()["outcome"] == "ignored"
    assert await Receipt.find_all().count() == 0


async def test_a_refund_of_a_booked_charge_asks_staff_to_reverse_its_payment(
    cards, client, as_operator
):
    case = await open_case(arrears=50_000)
    charge = cards.server.charge(20_000, account_number=case.account_id)
    await cards.deliver(cards.server.event("charge.succeeded", charge))
    refund = cards.server.event("charge.refunded", cards.server.refund(charge["id"]))
    answered = (await cards.deliver(refund)).json()
    assert answered["outcome"] == "refunded" and answered["receipt_status"] == "booked"
    dispute = await BillingDispute.get(answered["dispute_id"])
    assert dispute.kind == "refund_request" and dispute.receipt_id == f"card:{charge['id']}"
    assert (await Customer.get(case.customer_id)).dispute is not None
    assert (await cards.deliver(refund)).json()["outcome"] == "already_processed"
    assert await BillingDispute.find_all().count() == 1
    await settle_one(client, as_operator(), answered["dispute_id"], "refund", amount=20_000)
    payment = await Payment.find_one({"case_id": str(case.id)})
    assert payment.status is PaymentStatus.REVERSED
    assert (await Customer.get(case.customer_id)).dispute is None


async def test_a_refund_told_before_its_charge_leaves_the_money_refunded(cards):
    charge = cards.server.charge(7_500, account_number="ACC-NOBODY")
    refund = cards.server.event("charge.refunded", cards.server.refund(charge["id"]))
    answered = (await cards.deliver(refund)).json()
    assert answered["outcome"] == "refunded" and answered["receipt_status"] == "refunded"
    late = (await cards.deliver(cards.server.event("charge.succeeded", charge))).json()
    assert late["outcome"] == "booked" and late["receipt_status"] == "refunded"
    receipt = await Receipt.get(f"card:{charge['id']}")
    assert receipt.status == "refunded" and receipt.refund.by == "provider:card"
    assert await Payment.find_all().count() == 0


async def test_staff_confirm_a_charge_whose_webhook_never_came(cards, client, as_operator):
    case = await open_case(arrears=50_000)
    charge = cards.server.charge(15_000, account_number=case.account_id)
    url = f"/cards/charges/{charge['id']}/confirm"
    confirmed = await client.post(url, headers=as_operator())
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["outcome"] == "booked" and cards.server.lookups == [charge["id"]]
    late = await cards.deliver(cards.server.event("charge.succeeded", charge))
    assert late.json()["receipt_status"] == "booked"
    assert await Payment.find({"case_id": str(case.id)}).count() == 1
    unknown = await client.post("/cards/charges/ch_unknown/confirm", headers=as_operator())
    assert unknown.status_code == 404 and unknown.json()["code"] == "cards.charge_not_found"


async def test_the_local_provider_delivers_twice_to_a_running_debtx(cards, live_server):
    case = await open_case(arrears=50_000)
    charge = cards.server.charge(12_000, account_number=case.account_id)
    cards.server.webhook_url = f"{live_server}/cards/webhook"
    try:
        statuses = await asyncio.to_thread(
            cards.server.send, cards.server.event("charge.succeeded", charge), times=2, delay=0.2
        )
    finally:
        cards.server.webhook_url = None
    assert statuses == [200, 200]
    assert await Payment.find({"case_id": str(case.id)}).count() == 1


async def test_the_same_event_at_the_same_moment_is_acted_on_once(cards):
    case = await open_case(arrears=50_000)
    charge = cards.server.charge(20_000, account_number=case.account_id)
    await cards.deliver(cards.server.event("charge.succeeded", charge))
    refund = cards.server.event("charge.refunded", cards.server.refund(charge["id"]))
    answers = await asyncio.gather(*(cards.deliver(refund) for _ in range(4)))
    outcomes = sorted(a.json()["outcome"] for a in answers)
    assert outcomes == ["already_processed"] * 3 + ["refunded"]
    assert await BillingDispute.find_all().count() == 1
    event = await CardEvent.get(refund["id"])
    assert event.outcome == "refunded" and event.receipt_id == f"card:{charge['id']}"
