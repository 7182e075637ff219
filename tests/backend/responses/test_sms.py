"""Inbound SMS from the gateway: signed replies matched to the customer, STOP in three
languages, promises onto the worklist, delivery receipts, duplicates and forgeries."""

from __future__ import annotations

import pytest

from backend.audit.models import AuditRecord
from backend.customers.models import Customer, Language
from backend.notifications import service as notifications
from backend.notifications.models import Channel, Delivery, DeliveryStatus, OptOut, TemplateKey
from backend.responses.models import Intent, Response
from backend.worklist.models import WorkItem, WorkKind, WorkStatus
from tests.backend.notifications.conftest import send_waiting
from tests.backend.responses.conftest import by_sender, post_signed, reply
from tests.factories import make_case


async def _customer(language: Language = Language.ENGLISH):
    case = await make_case("negotiation")
    customer = await Customer.get(case.customer_id)
    customer.language = language
    await customer.save()
    return case, customer


def _mobile(customer: Customer) -> str:
    return next(c.value for c in customer.contacts if c.kind.value == "mobile")


async def _send_reminder(case, senders) -> Delivery:
    pending = await notifications.message_customer(
        actor=None, case=case, key=TemplateKey.PAYMENT_REMINDER, channels=[Channel.SMS]
    )
    await send_waiting(senders)
    return await Delivery.get(pending.delivery_ids[0])


@pytest.mark.parametrize(
    ("word", "language", "confirmation"),
    [
        ("STOP", Language.ENGLISH, "no more SMS"),
        ("Stop all", Language.ENGLISH, "no more SMS"),
        ("unsubscribe", Language.ENGLISH, "no more SMS"),
        ("නවතන්න", Language.SINHALA, "SMS පණිවිඩ නොලැබේ"),
        ("நிறுத்து", Language.TAMIL, "SMS வராது"),
    ],
)
async def test_stop_opts_the_number_out_and_later_sends_are_blocked(
    client, edges, senders, word, language, confirmation
):
    case, customer = await _customer(language)
    assert (await _send_reminder(case, senders)).status is DeliveryStatus.SENT

    # the gateway sends numbers without the plus
    answer = await reply(client, _mobile(customer).lstrip("+"), word)
    assert answer.status_code == 200, answer.text
    assert answer.json()["duplicate"] is False and confirmation in answer.json()["reply"]
    opt_out = await OptOut.get(f"{customer.id}|sms")
    assert opt_out is not None and opt_out.recorded_by is None
    audit = await AuditRecord.find_one({"action": "customer.opt_out", "entity_id": customer.id})
    assert audit is not None and audit.after["channel"] == "sms"
    stored = await Response.find_one({"customer_id": customer.id})
    assert stored.intent is Intent.STOP and stored.account_ids == [case.account_id]

    blocked = await _send_reminder(case, senders)
    assert (blocked.status, blocked.reason) == (DeliveryStatus.BLOCKED, "opted_out")
    assert len(edges.sms.received) == 1


async def test_a_promise_is_stored_with_its_day_and_opens_a_follow_up(client):
    case, customer = await _customer()
    # Wednesday 2 December 2026, 21:00 in Colombo (15:30 UTC)
    answer = await reply(
        client, _mobile(customer), "Sorry, I will pay Friday", received_at="2026-12-02T15:30:00Z"
    )
    assert answer.status_code == 200 and answer.json()["reply"] is None
    stored = await Response.find_one({"customer_id": customer.id})
    assert (stored.intent, str(stored.promised_on)) == (Intent.PROMISE, "2026-12-04")
    item = await WorkItem.get(stored.work_item_id)
    assert (item.kind, item.status, item.account_id) == (
        WorkKind.PROMISE_FOLLOW_UP,
        WorkStatus.OPEN,
        case.account_id,
    )
    assert str(item.due) == "2026-12-05"  # the day after the promised one


async def test_the_local_day_decides_what_tomorrow_means(client):
    _, customer = await _customer()
    # 20:00 UTC on the 2nd is 01:30 on the 3rd in Colombo
    await reply(client, _mobile(customer), "will pay tomorrow", received_at="2026-12-02T20:00:00Z")
    stored = await Response.find_one({"customer_id": customer.id})
    assert str(stored.promised_on) == "2026-12-04"


async def test_an_unmatched_reply_is_stored_with_a_worklist_item(client):
    answer = await reply(client, "+94719999999", "who is this?")
    assert answer.status_code == 200
    stored = (await by_sender("+94719999999"))[0]
    assert stored.customer_id is None and stored.intent is Intent.OTHER
    item = await WorkItem.get(stored.work_item_id)
    assert item.kind is WorkKind.UNMATCHED_RESPONSE and item.customer_id is None


async def test_a_message_delivered_twice_is_stored_once(client):
    _, customer = await _customer()
    payload = {"message_id": "gw-dup-1", "from": _mobile(customer), "text": "will pay on 12th"}
    first = await post_signed(client, "/webhooks/sms/inbound", payload)
    again = await post_signed(client, "/webhooks/sms/inbound", payload)
    assert first.json()["duplicate"] is False and again.json()["duplicate"] is True
    assert await Response.find({"source_key": "sms|gw-dup-1"}).count() == 1
    assert await WorkItem.find_all().count() == 1


async def test_a_bad_signature_is_refused_and_nothing_is_stored(client):
    _, customer = await _customer()
    payload = {"message_id": "gw-forged", "from": _mobile(customer), "text": "STOP"}
    forged = await post_signed(client, "/webhooks/sms/inbound", payload, secret="not-the-secret")
    assert forged.status_code == 401 and forged.json()["code"] == "responses.signature_invalid"
    unsigned = await client.post("/webhooks/sms/inbound", json=payload)
    assert unsigned.status_code == 401
    receipt = await post_signed(
        client, "/webhooks/sms/receipts", {"message_id": "x", "status": "delivered"}, secret="no"
    )
    assert receipt.status_code == 401
    assert await Response.find_all().count() == 0
    assert await OptOut.find_all().count() == 0


async def test_delivery_receipts_update_the_delivery(client, senders):
    case, _ = await _customer()
    sent = await _send_reminder(case, senders)
    delivered = await post_signed(
        client, "/webhooks/sms/receipts", {"message_id": sent.provider_id, "status": "DELIVERED"}
    )
    assert delivered.json() == {"accepted": True, "matched": True}
    after = await Delivery.get(sent.id)
    assert (after.status, after.receipt) == (DeliveryStatus.SENT, "delivered")

    second = await _send_reminder(case, senders)
    failed = await post_signed(
        client,
        "/webhooks/sms/receipts",
        {"message_id": second.provider_id, "status": "undelivered", "error_code": "30003"},
    )
    assert failed.status_code == 200
    after = await Delivery.get(second.id)
    assert (after.status, after.reason, after.receipt) == (
        DeliveryStatus.FAILED,
        "undelivered",
        "undelivered",
    )
    assert after.events[-1].detail == "receipt undelivered (30003)"
    unknown = await post_signed(
        client, "/webhooks/sms/receipts", {"message_id": "nobody", "status": "delivered"}
    )
    assert unknown.json()["matched"] is False


async def test_stop_from_a_shared_number_opts_out_each_customer_holding_it(client):
    _, first = await _customer()
    _, second = await _customer()
    shared = _mobile(first)
    second.contacts[0].value = shared
    await second.save()
    answer = await reply(client, shared, "STOP")
    assert answer.json()["reply"]
    stored = (await by_sender(shared))[0]
    assert stored.customer_id is None and sorted(stored.candidates) == sorted([first.id, second.id])
    assert {o.customer_id async for o in OptOut.find_all()} == {first.id, second.id}
    assert (await WorkItem.get(stored.work_item_id)).kind is WorkKind.UNMATCHED_RESPONSE


async def test_stop_from_an_unknown_number_opts_nobody_out(client):
    answer = await reply(client, "+94712223334", "STOP")
    assert answer.status_code == 200 and answer.json()["reply"] is None
    assert await OptOut.find_all().count() == 0
