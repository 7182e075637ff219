"""What each user manages for themselves: devices, the in-app feed, preferences. Nobody
reaches another user's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.notifications import service
from backend.notifications.models import Delivery, DeliveryStatus, Device, NotificationKind
from backend.users.models import Role
from tests.backend.notifications.conftest import send_waiting
from tests.factories import bearer, make_user


async def _notify(user, n: int = 1) -> None:
    for i in range(n):
        await service.notify(
            actor=None,
            kind=NotificationKind.BROADCAST,
            user_ids=[user.id],
            params={"title": f"Notice {i}", "body": "Read me"},
        )


async def test_devices_register_refresh_move_and_unregister(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    me = bearer(signing_key, officer)
    first = await client.put(
        "/notifications/devices/install-1",
        json={"token": "tok-1", "platform": "android"},
        headers=me,
    )
    assert first.status_code == 200 and "token" not in first.json()
    refreshed = await client.put(
        "/notifications/devices/install-1",
        json={"token": "tok-2", "platform": "android", "app_version": "1.5.0"},
        headers=me,
    )
    assert refreshed.json()["registered_at"] == first.json()["registered_at"]
    assert refreshed.json()["refreshed_at"] > first.json()["refreshed_at"]
    assert [d.token async for d in Device.find({"user_id": officer.id})] == ["tok-2"]

    # the phone changes hands: the token now belongs to the colleague only
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    await client.put(
        "/notifications/devices/shared",
        json={"token": "tok-2", "platform": "android"},
        headers=bearer(signing_key, colleague),
    )
    assert (await client.get("/notifications/devices", headers=me)).json() == []

    gone = await client.delete(
        "/notifications/devices/shared", headers=bearer(signing_key, colleague)
    )
    assert gone.status_code == 204
    again = await client.delete("/notifications/devices/shared", headers=me)
    assert again.status_code == 404 and again.json()["code"] == "notification.device_not_found"
    bad = await client.put(
        "/notifications/devices/x", json={"token": "has space", "platform": "nokia"}, headers=me
    )
    assert bad.status_code == 422
    assert {e["field"] for e in bad.json()["errors"]} == {"token", "platform"}


async def test_the_feed_pages_marks_read_and_counts(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    me = bearer(signing_key, officer)
    await _notify(officer, 5)
    page = await client.get("/notifications?limit=2", headers=me)
    assert [n["title"] for n in page.json()["items"]] == ["Notice 4", "Notice 3"]
    cursor = page.json()["next_cursor"]
    rest = await client.get(f"/notifications?limit=10&cursor={cursor}", headers=me)
    assert [n["title"] for n in rest.json()["items"]] == ["Notice 2", "Notice 1", "Notice 0"]
    assert rest.json()["next_cursor"] is None

    newest = page.json()["items"][0]
    read = await client.post(f"/notifications/{newest['id']}/read", headers=me)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    again = await client.post(f"/notifications/{newest['id']}/read", headers=me)
    assert again.json()["read_at"] == read.json()["read_at"]
    assert (await client.get("/notifications/counts", headers=me)).json() == {"unread": 4}
    unread = await client.get("/notifications?unread=true", headers=me)
    assert len(unread.json()["items"]) == 4
    assert (await client.post("/notifications/read", headers=me)).json() == {"marked": 4}
    assert (await client.get("/notifications/counts", headers=me)).json() == {"unread": 0}


async def test_nobody_reads_or_marks_another_users_feed(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    await _notify(officer)
    item = (await client.get("/notifications", headers=bearer(signing_key, officer))).json()
    item_id = item["items"][0]["id"]
    for role in (Role.RECOVERY_OFFICER, Role.DRC_SUPERVISOR, Role.OPERATOR_ADMIN):
        drc_id = None if role.is_operator else officer.drc_id
        other = bearer(signing_key, await make_user(role, drc_id=drc_id))
        assert (await client.get("/notifications", headers=other)).json()["items"] == []
        refused = await client.post(f"/notifications/{item_id}/read", headers=other)
        assert refused.status_code == 404 and refused.json()["code"] == "notification.not_found"
    bad = await client.get("/notifications?cursor=zz", headers=bearer(signing_key, officer))
    assert bad.status_code == 422


async def test_preferences_choose_channels_and_quiet_hours(client, signing_key, edges, senders):
    officer = await make_user(Role.RECOVERY_OFFICER, phone="+94771234567")
    me = bearer(signing_key, officer)
    defaults = await client.get("/notifications/preferences", headers=me)
    assert defaults.json() == {
        "push": True,
        "sms": False,
        "email": False,
        "quiet_hours": None,
        "time_zone": "Asia/Colombo",
    }
    for body, code in (
        ({"push": True, "sms": False, "email": False, "time_zone": "Mars/Olympus"},
         "notification.time_zone_unknown"),
        ({"push": True, "sms": False, "email": False,
          "quiet_hours": {"start": "22:00", "end": "22:00"}},
         "notification.quiet_hours_empty"),
        ({"push": 1, "sms": False, "email": False}, "request.invalid"),
        ({"push": True, "sms": False, "email": False,
          "quiet_hours": {"start": "24:00", "end": "06:00"}},
         "request.invalid"),
    ):  # fmt: skip
        refused = await client.put("/notifications/preferences", json=body, headers=me)
        assert refused.status_code == 422 and refused.json()["code"] == code, body
    now_local = datetime.now(UTC) + timedelta(hours=5, minutes=30)
    quiet = {
        "start": f"{now_local - timedelta(hours=1):%H:%M}",
        "end": f"{now_local + timedelta(hours=1):%H:%M}",
    }
    saved = await client.put(
        "/notifications/preferences",
        json={"push": False, "sms": True, "email": False, "quiet_hours": quiet},
        headers=me,
    )
    assert saved.status_code == 200 and saved.json()["quiet_hours"] == quiet

    await _notify(officer)
    [sms] = await Delivery.find().to_list()
    assert sms.channel == "sms" and sms.to == "+94771234567"
    await send_waiting(senders)
    held = await Delivery.get(sms.id)
    assert held.status is DeliveryStatus.DEFERRED and held.reason == "quiet_hours"
    assert held.next_attempt_at > datetime.now(UTC) + timedelta(minutes=55)
    assert edges.sms.received == []
    await send_waiting(senders, now=held.next_attempt_at)
    sent = await Delivery.get(sms.id)
    assert sent.status is DeliveryStatus.SENT
    assert [e.status for e in sent.events] == [DeliveryStatus.DEFERRED, DeliveryStatus.SENT]
    [request] = edges.sms.received
    assert request.body["to"] == "+94771234567" and request.body["text"] == "Read me"
