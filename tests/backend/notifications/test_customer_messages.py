"""Customer messages: SMS over the HTTP gateway and email over SMTP, from templates in
English, Sinhala and Tamil, each checked against the contact policy and logged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.customers.models import Contact, ContactKind, Customer, Language
from backend.notifications.models import Delivery, DeliveryStatus
from backend.users.models import Role
from tests.backend.notifications.conftest import SMS_KEY, send_waiting
from tests.factories import bearer, make_case, make_user


async def _case(language: Language = Language.ENGLISH, email: str | None = None):
    case = await make_case("negotiation")
    customer = await Customer.get(case.customer_id)
    customer.name = "Nimal Perera"
    customer.language = language
    if email:
        customer.contacts.append(Contact(kind=ContactKind.EMAIL, value=email, primary=True))
    await customer.save()
    return case, customer


async def _send(client, key, user, case, **body):
    body = {"template": "payment_reminder", **body}
    return await client.post(
        f"/cases/{case.id}/customer-messages", json=body, headers=bearer(key, user)
    )


async def test_an_sms_in_sinhala_is_posted_to_the_gateway(client, signing_key, edges, senders):
    case, customer = await _case(Language.SINHALA)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=case.drc_id)
    queued = await _send(
        client,
        signing_key,
        supervisor,
        case,
        amount={"amount": 1250050, "currency": "LKR"},
        due_date="2025-08-01",
    )
    assert queued.status_code == 202, queued.text
    [delivery] = queued.json()
    assert delivery["status"] == "pending" and delivery["language"] == "si"
    await send_waiting(senders)

    [request] = edges.sms.received
    assert request.path == "/sms"
    assert request.headers["authorization"] == f"Bearer {SMS_KEY}"
    mobile = customer.contacts[0].value
    assert request.body == {
        "to": mobile,
        "from": "DebtX",
        "text": (
            "හිතවත් Nimal Perera, ඔබගේ හිඟ මුදල LKR 12,500.50 2025-08-01 දිනට ගෙවිය යුතුය. "
            f"{case.account_id} යොමු අංකය සමඟ හෝ https://pay.debtx.dev/{case.account_id} "
            "හරහා ගෙවන්න. ස්තූතියි."
        ),
        "reference": delivery["id"],
    }
    stored = await Delivery.get(delivery["id"])
    assert stored.status is DeliveryStatus.SENT and stored.provider_id == "sms-1"
    assert stored.to == mobile
    assert [e.status for e in stored.events] == [DeliveryStatus.PENDING, DeliveryStatus.SENT]


async def test_an_email_in_tamil_goes_through_smtp(client, signing_key, edges, senders):
    case, _ = await _case(Language.TAMIL, email="nimal@example.lk")
    officer = await make_user(Role.OPERATOR_OFFICER)
    queued = await _send(
        client,
        signing_key,
        officer,
        case,
        template="instalment_missed",
        channels=["email"],
        amount={"amount": 500000, "currency": "LKR"},
        due_date="2025-07-15",
    )
    assert queued.status_code == 202, queued.text
    await send_waiting(senders)
    [mail] = edges.smtp.mails
    assert mail.recipients == ["nimal@example.lk"]
    assert mail.message["From"] == "DebtX Collections <collections@debtx.dev>"
    assert mail.message["Subject"] == "செலுத்தப்படாத தவணை"
    assert mail.message["X-DebtX-Delivery"] == queued.json()[0]["id"]
    assert mail.message.get_content().strip() == (
        "அன்புள்ள Nimal Perera, 2025-07-15 அன்று செலுத்த வேண்டிய LKR 5,000.00 தவணை "
        "எங்களுக்குக் கிடைக்கவில்லை. உங்கள் தவணைத் திட்டம் தொடர "
        f"{case.account_id} என்ற குறிப்பு எண்ணுடன் அல்லது "
        f"https://pay.debtx.dev/{case.account_id} மூலம் செலுத்தவும்."
    )
    stored = await Delivery.get(queued.json()[0]["id"])
    assert (
        stored.status is DeliveryStatus.SENT
        and stored.provider_id == mail.message["Message-ID"].strip()
    )


async def test_quiet_hours_in_the_customers_zone_hold_the_message(
    client, signing_key, edges, senders
):
    case, customer = await _case()
    customer.time_zone = "Asia/Tokyo"  # the policy's window is read in the customer's zone
    await customer.save()
    operator = await make_user(Role.OPERATOR_ADMIN)
    tokyo = datetime.now(UTC) + timedelta(hours=9)
    window = {
        "start": f"{tokyo - timedelta(hours=1):%H:%M}",
        "end": f"{tokyo + timedelta(hours=2):%H:%M}",
    }
    policy = await client.put(
        "/notifications/contact-policy",
        json={"quiet_hours": window, "sms_cap": 5, "email_cap": 5, "cap_window_hours": 24},
        headers=bearer(signing_key, operator),
    )
    assert policy.status_code == 200 and policy.json()["quiet_hours"] == window
    await _send(client, signing_key, operator, case)
    await send_waiting(senders)
    assert edges.sms.received == []
    held = await Delivery.find_one({"customer_id": customer.id})
    assert held.status is DeliveryStatus.DEFERRED and held.reason == "quiet_hours"
    assert "Asia/Tokyo" in held.events[-1].detail
    assert held.next_attempt_at > datetime.now(UTC) + timedelta(minutes=115)
    await send_waiting(senders, now=held.next_attempt_at + timedelta(seconds=1))
    assert (await Delivery.get(held.id)).status is DeliveryStatus.SENT
    assert len(edges.sms.received) == 1


async def test_caps_opt_outs_and_disputes_block_and_every_block_is_logged(
    client, signing_key, edges, senders
):
    case, customer = await _case()
    operator = await make_user(Role.OPERATOR_ADMIN)
    staff = bearer(signing_key, operator)
    await client.put(
        "/notifications/contact-policy",
        json={
            "quiet_hours": {"start": "00:00", "end": "00:01"},
            "sms_cap": 1,
            "email_cap": 1,
            "cap_window_hours": 24,
        },
        headers=staff,
    )
    noon = datetime.now(UTC).replace(hour=6, minute=30) + timedelta(days=1)  # 12:00 Colombo

    async def attempt() -> Delivery:
        await _send(client, signing_key, operator, case)
        await send_waiting(senders, now=noon)
        return await Delivery.find({"customer_id": customer.id}).sort("-_id").first_or_none()

    assert (await attempt()).status is DeliveryStatus.SENT
    capped = await attempt()
    assert (capped.status, capped.reason) == (DeliveryStatus.BLOCKED, "frequency_cap")

    await client.put("/notifications/contact-policy", headers=staff, json={
        "quiet_hours": {"start": "00:00", "end": "00:01"},
        "sms_cap": 10, "email_cap": 10, "cap_window_hours": 24,
    })  # fmt: skip
    opted = await client.put(
        f"/customers/{customer.id}/opt-outs/sms", json={"reason": "asked by phone"}, headers=staff
    )
    assert opted.status_code == 200 and opted.json()["channel"] == "sms"
    blocked = await attempt()
    assert (blocked.status, blocked.reason) == (DeliveryStatus.BLOCKED, "opted_out")
    assert (
        await client.delete(f"/customers/{customer.id}/opt-outs/sms", headers=staff)
    ).status_code == 204

    opened = await client.put(
        f"/customers/{customer.id}/dispute", json={"reason": "billed twice"}, headers=staff
    )
    assert opened.status_code == 200 and opened.json()["dispute"]["reason"] == "billed twice"
    twice = await client.put(
        f"/customers/{customer.id}/dispute", json={"reason": "again"}, headers=staff
    )
    assert twice.status_code == 409 and twice.json()["code"] == "customer.dispute_open"
    held = await attempt()
    assert (held.status, held.reason) == (DeliveryStatus.BLOCKED, "dispute_open")
    closed = await client.delete(f"/customers/{customer.id}/dispute", headers=staff)
    assert closed.status_code == 200 and closed.json()["dispute"] is None
    assert (await attempt()).status is DeliveryStatus.SENT
    assert len(edges.sms.received) == 2  # only the two allowed sends reached the gateway

    log = await client.get(f"/notifications/deliveries?customer_id={customer.id}", headers=staff)
    rows = log.json()["items"]
    assert [(r["status"], r["reason"]) for r in rows] == [
        ("sent", None),
        ("blocked", "dispute_open"),
        ("blocked", "opted_out"),
        ("blocked", "frequency_cap"),
        ("sent", None),
    ]
    assert all(r["events"][-1]["at"] and r["events"][-1]["detail"] for r in rows)
    blocked_only = await client.get(
        f"/notifications/deliveries?customer_id={customer.id}&status=blocked", headers=staff
    )
    assert len(blocked_only.json()["items"]) == 3
    outsider = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR))
    hidden = await client.get(
        f"/notifications/deliveries?customer_id={customer.id}", headers=outsider
    )
    assert hidden.json()["items"] == []
    officer = bearer(signing_key, await make_user(Role.RECOVERY_OFFICER, drc_id=case.drc_id))
    refused = await client.put(f"/customers/{customer.id}/dispute", json={"reason": "x"},
                               headers=officer)  # fmt: skip
    assert refused.status_code == 403


async def test_gateway_failures_are_retried_with_backoff(client, signing_key, edges, senders):
    case, customer = await _case()
    edges.sms.fail_next = [503]
    await _send(client, signing_key, await make_user(Role.OPERATOR_ADMIN), case)
    first = datetime.now(UTC)
    retry = await send_waiting(senders, now=first)
    stored = await Delivery.find_one({"customer_id": customer.id})
    assert stored.status is DeliveryStatus.RETRYING and "503" in stored.events[-1].detail
    assert retry.delivery_ids == [str(stored.id)] and 9 <= retry.countdown <= 10
    await send_waiting(senders, now=first + timedelta(seconds=11))
    stored = await Delivery.get(stored.id)
    assert stored.status is DeliveryStatus.SENT and stored.attempts == 2
    assert len(edges.sms.received) == 2


async def test_a_refused_message_is_not_retried(client, signing_key, edges, senders):
    case, customer = await _case()
    edges.sms.fail_next = [400]
    await _send(client, signing_key, await make_user(Role.OPERATOR_ADMIN), case)
    assert (await send_waiting(senders)).delivery_ids == []
    stored = await Delivery.find_one({"customer_id": customer.id})
    assert (stored.status, stored.reason) == (DeliveryStatus.FAILED, "refused")


async def test_templates_are_checked_and_used(client, signing_key, edges, senders):
    operator = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    listed = await client.get("/notifications/templates", headers=operator)
    assert len(listed.json()) == 18 and all(t["built_in"] for t in listed.json())
    path = "/notifications/templates/payment_reminder/sms/en"
    for body, code in (
        ({"body": "Hi {first_name}"}, "notification.template_invalid"),
        ({"body": "Hi {name!r}"}, "notification.template_invalid"),
        ({"body": "Hi {name"}, "notification.template_invalid"),
        ({"subject": "S", "body": "Hi {name}"}, "notification.subject_mismatch"),
    ):
        refused = await client.put(path, json=body, headers=operator)
        assert refused.status_code == 422 and refused.json()["code"] == code, body
    push = await client.put("/notifications/templates/payment_reminder/push/en", json={"body": "x"},
                            headers=operator)  # fmt: skip
    assert push.status_code == 422
    officer = await make_user(Role.RECOVERY_OFFICER)
    forbidden = await client.put(path, json={"body": "Hi"}, headers=bearer(signing_key, officer))
    assert forbidden.status_code == 403
    saved = await client.put(
        path, json={"body": "{name}: pay {amount} by {due_date}, ref {reference}"}, headers=operator
    )
    assert saved.status_code == 200 and saved.json()["built_in"] is False
    case, _ = await _case()
    await _send(
        client, signing_key, await make_user(Role.OPERATOR_ADMIN), case, due_date="2025-09-30"
    )
    await send_waiting(senders)
    assert edges.sms.received[0].body["text"] == (
        f"Nimal Perera: pay LKR 1,500.00 by 2025-09-30, ref {case.account_id}"
    )
    reset = await client.delete(path, headers=operator)
    assert reset.json()["built_in"] is True and reset.json()["body"].startswith("Dear {name}")


async def test_a_preview_fills_sample_values_and_stores_nothing(client, signing_key):
    operator = bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))
    path = "/notifications/templates/promise_due/email/si/preview"
    shown = await client.post(
        path, json={"subject": "{name}", "body": "Pay {amount} by {due_date}"}, headers=operator
    )
    assert shown.status_code == 200, shown.text
    assert shown.json() == {"subject": "Nimal Perera", "body": "Pay LKR 12,500.00 by 2026-01-15"}
    refused = await client.post(
        path, json={"subject": "Hi", "body": "Pay {total}"}, headers=operator
    )
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["field"] == "body"
    listed = await client.get("/notifications/templates", headers=operator)
    assert all(t["built_in"] for t in listed.json())


async def test_who_may_message_and_missing_contacts(client, signing_key):
    case, _ = await _case()
    no_email = await _send(client, signing_key, await make_user(Role.OPERATOR_ADMIN), case,
                           channels=["email"])  # fmt: skip
    assert no_email.status_code == 409 and no_email.json()["code"] == "notification.no_contact"
    outsider = await make_user(Role.RECOVERY_OFFICER)
    hidden = await _send(client, signing_key, outsider, case)
    assert hidden.status_code == 404
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=case.drc_id)
    assert (await _send(client, signing_key, colleague, case)).status_code == 404
    bad = await _send(client, signing_key, await make_user(Role.OPERATOR_ADMIN), case,
                      channels=["push"])  # fmt: skip
    assert bad.status_code == 422


async def test_the_cap_counts_messages_sent_in_the_same_batch(client, signing_key, edges, senders):
    case, customer = await _case()
    operator = await make_user(Role.OPERATOR_ADMIN)
    await client.put(
        "/notifications/contact-policy",
        json={
            "quiet_hours": {"start": "00:00", "end": "00:01"},
            "sms_cap": 1,
            "email_cap": 1,
            "cap_window_hours": 24,
        },
        headers=bearer(signing_key, operator),
    )
    for _ in range(3):
        await _send(client, signing_key, operator, case)
    noon = datetime.now(UTC).replace(hour=6, minute=30) + timedelta(days=1)
    await send_waiting(senders, now=noon)
    stored = await Delivery.find({"customer_id": customer.id}).to_list()
    statuses = sorted(d.status.value for d in stored)
    assert statuses == ["blocked", "blocked", "sent"] and len(edges.sms.received) == 1
