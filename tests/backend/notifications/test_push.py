"""Push to staff over FCM HTTP v1: the exact requests, token pruning, retries, topics."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.notifications import repository
from backend.notifications.models import Delivery, DeliveryStatus, Device, Notification
from backend.users.models import Role
from tests.backend.notifications.conftest import send_waiting
from tests.backend.notifications.servers import (
    INVALID_PAYLOAD,
    INVALID_TOKEN,
    UNAVAILABLE,
    UNREGISTERED,
)
from tests.conftest import PROJECT_ID
from tests.factories import bearer, make_case, make_drc, make_user


async def _register(client, key, user, device_id: str, token: str, platform: str = "android"):
    response = await client.put(
        f"/notifications/devices/{device_id}",
        json={"token": token, "platform": platform, "app_version": "1.4.0"},
        headers=bearer(key, user),
    )
    assert response.status_code == 200, response.text
    return response.json()


async def _assign(client, key, actor, case, officer):
    response = await client.post(
        f"/cases/{case.id}/assignment", json={"ro_id": officer.id}, headers=bearer(key, actor)
    )
    assert response.status_code == 200, response.text


async def test_an_assignment_pushes_the_exact_fcm_v1_request(client, signing_key, edges, senders):
    drc = await make_drc()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id)
    await _register(client, signing_key, officer, "pixel-7", "fcm-token-officer")
    case = await make_case("allocated", drc_id=drc.id)
    await _assign(client, signing_key, supervisor, case, officer)

    item = await Notification.find_one({"user_id": officer.id})
    assert item.kind == "case_assigned" and item.read_at is None
    assert item.route == f"/cases/{case.id}"
    retry = await send_waiting(senders)
    assert retry.delivery_ids == []

    [token_request] = [r for r in edges.fcm.received if r.path == "/token"]
    assert token_request.body["grant_type"] == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
    [sent] = edges.fcm.sends
    assert sent.path == f"/v1/projects/{PROJECT_ID}/messages:send"
    assert sent.headers["authorization"] == "Bearer ya29.test-access-1"
    assert sent.headers["content-type"] == "application/json"
    assert sent.body == {
        "message": {
            "token": "fcm-token-officer",
            "notification": {
                "title": "Case assigned to you",
                "body": f"Test Customer, account {case.account_id}.",
            },
            "data": {
                "kind": "case_assigned",
                "route": f"/cases/{case.id}",
                "case_id": str(case.id),
                "notification_id": str(item.id),
            },
            "android": {
                "collapse_key": "case_assigned",
                "priority": "high",
                "notification": {"tag": "case_assigned"},
            },
            "apns": {"headers": {"apns-collapse-id": "case_assigned"}},
        }
    }
    stored = await Delivery.find_one({"user_id": officer.id})
    assert stored.status is DeliveryStatus.SENT and stored.attempts == 1
    assert stored.results[0].detail == f"projects/{PROJECT_ID}/messages/1"
    assert [e.status for e in stored.events] == [DeliveryStatus.SENT]
    assert stored.sent_at is not None


async def test_reassignment_tells_both_officers_and_reuses_the_access_token(
    client, signing_key, edges, senders
):
    officer = await make_user(Role.RECOVERY_OFFICER)
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    for user, token in ((officer, "token-a"), (colleague, "token-b")):
        await _register(client, signing_key, user, "phone", token)
    case = await make_case("negotiation", ro=officer)
    operator = await make_user(Role.OPERATOR_OFFICER)
    await _assign(client, signing_key, operator, case, colleague)
    await send_waiting(senders)
    by_token = {r.body["message"]["token"]: r.body["message"] for r in edges.fcm.sends}
    assert by_token["token-a"]["data"]["kind"] == "case_taken_away"
    assert by_token["token-a"]["data"]["route"] == "/cases"  # no longer theirs to open
    assert by_token["token-b"]["data"]["kind"] == "case_assigned"
    assert len(edges.fcm.issued) == 1  # one access token for both sends


async def test_tokens_fcm_calls_dead_are_pruned_and_others_kept(
    client, signing_key, edges, senders
):
    officer = await make_user(Role.RECOVERY_OFFICER)
    for device_id, token in (
        ("old", "dead-token"),
        ("bad", "malformed-token"),
        ("new", "live-token"),
        ("odd", "payload-refused"),
    ):
        await _register(client, signing_key, officer, device_id, token)
    edges.fcm.answers = {
        "dead-token": [UNREGISTERED],
        "malformed-token": [INVALID_TOKEN],
        "payload-refused": [INVALID_PAYLOAD],
    }
    case = await make_case("allocated", drc_id=officer.drc_id)
    await _assign(client, signing_key, await make_user(Role.OPERATOR_ADMIN), case, officer)
    await send_waiting(senders)

    assert len(edges.fcm.sends) == 4
    left = {d.device_id async for d in Device.find({"user_id": officer.id})}
    assert left == {"new", "odd"}  # a refused payload says nothing about the token
    listed = await client.get("/notifications/devices", headers=bearer(signing_key, officer))
    assert [d["device_id"] for d in listed.json()] == ["new", "odd"]
    stored = await Delivery.find_one({"user_id": officer.id})
    assert stored.status is DeliveryStatus.SENT
    assert {(r.ok, r.pruned, r.detail) for r in stored.results} == {
        (True, False, f"projects/{PROJECT_ID}/messages/1"),
        (False, True, "UNREGISTERED"),
        (False, True, "INVALID_ARGUMENT"),
        (False, False, "INVALID_ARGUMENT"),
    }


async def test_a_refreshed_token_is_not_pruned_by_a_late_answer_for_the_old_one(
    client, signing_key
):
    officer = await make_user(Role.RECOVERY_OFFICER)
    await _register(client, signing_key, officer, "phone", "old-token")
    device = await Device.find_one({"user_id": officer.id})
    await _register(client, signing_key, officer, "phone", "new-token")  # the app refreshed
    assert await repository.prune([(device.id, "old-token")]) == 0
    assert [d.token async for d in Device.find({"user_id": officer.id})] == ["new-token"]


async def test_transient_failures_are_retried_with_backoff_on_the_failed_device_only(
    client, signing_key, edges, senders
):
    officer = await make_user(Role.RECOVERY_OFFICER)
    await _register(client, signing_key, officer, "a", "token-ok")
    await _register(client, signing_key, officer, "b", "token-busy")
    edges.fcm.answers = {"token-busy": [UNAVAILABLE]}
    case = await make_case("allocated", drc_id=officer.drc_id)
    await _assign(client, signing_key, await make_user(Role.OPERATOR_ADMIN), case, officer)
    first = datetime.now(UTC)
    retry = await send_waiting(senders, now=first)
    stored = await Delivery.find_one({"user_id": officer.id})
    assert stored.status is DeliveryStatus.RETRYING and stored.attempts == 1
    due = first + timedelta(seconds=10)
    assert due - timedelta(milliseconds=1) <= stored.next_attempt_at <= due
    assert retry.delivery_ids == [str(stored.id)] and 9 <= retry.countdown <= 10

    assert (await send_waiting(senders, now=first + timedelta(seconds=1))).delivery_ids == []
    assert len(edges.fcm.sends) == 2  # not due yet: nothing sent
    await send_waiting(senders, now=first + timedelta(seconds=11))
    stored = await Delivery.find_one({"user_id": officer.id})
    assert stored.status is DeliveryStatus.SENT and stored.attempts == 2
    resent = [r.body["message"]["token"] for r in edges.fcm.sends[2:]]
    assert resent == ["token-busy"]
    assert [e.status for e in stored.events] == [DeliveryStatus.RETRYING, DeliveryStatus.SENT]


async def test_retries_stop_after_the_last_attempt(client, signing_key, edges, senders):
    officer = await make_user(Role.RECOVERY_OFFICER)
    await _register(client, signing_key, officer, "a", "always-busy")
    edges.fcm.answers = {"always-busy": [UNAVAILABLE] * 5}
    case = await make_case("allocated", drc_id=officer.drc_id)
    await _assign(client, signing_key, await make_user(Role.OPERATOR_ADMIN), case, officer)
    moment = datetime.now(UTC)
    for _ in range(3):
        moment += timedelta(hours=2)
        await send_waiting(senders, now=moment)
    stored = await Delivery.find_one({"user_id": officer.id})
    assert stored.status is DeliveryStatus.FAILED and stored.reason == "attempts_exhausted"
    assert stored.attempts == 3 and len(edges.fcm.sends) == 3


async def test_an_expired_access_token_is_renewed(client, signing_key, edges, senders):
    officer = await make_user(Role.RECOVERY_OFFICER)
    await _register(client, signing_key, officer, "a", "token-a")
    case = await make_case("allocated", drc_id=officer.drc_id)
    await _assign(client, signing_key, await make_user(Role.OPERATOR_ADMIN), case, officer)
    await senders.fcm.tokens.get()
    edges.fcm.refuse_access_token = True
    await send_waiting(senders)
    auth = [r.headers["authorization"] for r in edges.fcm.sends]
    assert auth == ["Bearer ya29.test-access-1", "Bearer ya29.test-access-2"]
    assert (await Delivery.find_one()).status is DeliveryStatus.SENT


async def test_no_device_means_skipped_but_the_feed_has_it(client, signing_key, edges, senders):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("allocated", drc_id=officer.drc_id)
    await _assign(client, signing_key, await make_user(Role.OPERATOR_ADMIN), case, officer)
    await send_waiting(senders)
    stored = await Delivery.find_one({"user_id": officer.id})
    assert stored.status is DeliveryStatus.SKIPPED and stored.reason == "no_device"
    assert edges.fcm.sends == []
    feed = await client.get("/notifications", headers=bearer(signing_key, officer))
    assert [n["kind"] for n in feed.json()["items"]] == ["case_assigned"]


async def test_a_broadcast_goes_to_the_drc_topic(client, signing_key, edges, senders):
    drc = await make_drc()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    officers = [await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id) for _ in range(2)]
    device = await _register(client, signing_key, officers[0], "phone", "t-1")
    assert device["topics"] == [f"drc-{drc.id}"]
    sent = await client.post(
        "/notifications/broadcasts",
        json={"drc_id": drc.id, "title": "Office closed", "body": "Poya day: no visits."},
        headers=bearer(signing_key, supervisor),
    )
    assert sent.status_code == 202 and sent.json()["topic"] == f"drc-{drc.id}"
    other = await make_user(Role.DRC_SUPERVISOR)
    refused = await client.post(
        "/notifications/broadcasts",
        json={"drc_id": drc.id, "title": "x", "body": "y"},
        headers=bearer(signing_key, other),
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "notification.broadcast_forbidden"
    await send_waiting(senders)
    [push] = edges.fcm.sends
    message = push.body["message"]
    assert message["topic"] == f"drc-{drc.id}" and "token" not in message
    assert message["notification"] == {"title": "Office closed", "body": "Poya day: no visits."}
    feeds = {n.user_id async for n in Notification.find({"kind": "broadcast"})}
    assert feeds == {supervisor.id, *(o.id for o in officers)}
