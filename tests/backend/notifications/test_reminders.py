"""Beat-scheduled reminders and overdue checks tell each person once; the relay sends
what is due in the delivery log."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from redis import Redis

from backend.cases import service as cases
from backend.core import db
from backend.notifications import reminders, service
from backend.notifications.models import Delivery, Notification, NotificationKind
from backend.users.models import Role
from backend.worker.schedule import BEAT_SCHEDULE
from tests.backend.payments.helpers import lkr, now_iso, today
from tests.factories import bearer, make_case, make_user


async def _kinds(user) -> list[str]:
    return [n.kind.value async for n in Notification.find({"user_id": user.id}).sort("_id")]


async def _shape(case, **changes):
    async with db.transaction() as session:
        return await cases.update(
            actor=None, case=case, action="test.shape", changes=changes, session=session
        )


async def test_daily_reminders_go_out_once_per_item_and_day(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    promised = await make_case("negotiation", ro=officer)
    recorded = await client.post(
        f"/cases/{promised.id}/negotiations",
        json={
            "contacted_at": now_iso(-timedelta(minutes=5)),
            "channel": "call",
            "result": "reached",
            "outcome": "promise_to_pay",
            "promise": {"amount": lkr(40_000), "due_date": today().isoformat()},
        },
        headers=bearer(signing_key, officer),
    )
    assert recorded.status_code == 201, recorded.text
    follow_up = await make_case("negotiation", ro=officer)
    evening = datetime.combine(today(), time(23, 0), tzinfo=UTC)
    await _shape(follow_up, next_follow_up=evening)
    hearing = await make_case("mediation", ro=officer)
    tomorrow_noon = datetime.combine(today() + timedelta(days=1), time(6, 30), tzinfo=UTC)
    from backend.mediation.models import MediationFile

    await MediationFile(id=str(hearing.id), next_hearing_at=tomorrow_noon).insert()

    counts = await reminders.send_daily_reminders(today=today())
    assert counts == {"promise_due": 1, "follow_up_due": 1, "hearing_tomorrow": 1}
    again = await reminders.send_daily_reminders(today=today())
    assert again == {"promise_due": 0, "follow_up_due": 0, "hearing_tomorrow": 0}
    assert sorted(await _kinds(officer)) == ["follow_up_due", "hearing_tomorrow", "promise_due"]
    promise_item = await Notification.find_one({"kind": "promise_due"})
    assert promise_item.body.startswith("Test Customer promised to pay LKR 400.00 today")
    [customer_sms] = await Delivery.find({"audience": "customer"}).to_list()
    assert customer_sms.kind == "promise_due" and "LKR 400.00" in customer_sms.body
    hearing_item = await Notification.find_one({"kind": "hearing_tomorrow"})
    assert hearing_item.case_id == str(hearing.id) and "06:30" in hearing_item.body
    # the next day is a new day: a follow-up still pending is overdue, not "due today"
    later = await reminders.send_daily_reminders(today=today() + timedelta(days=1))
    assert later["follow_up_due"] == 0


async def test_overdue_follow_ups_nag_once_a_day_and_validity_warns_once(client):
    officer = await make_user(Role.RECOVERY_OFFICER)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    overdue = await make_case("negotiation", ro=officer)
    now = datetime.combine(today(), time(10, 0), tzinfo=UTC)  # days are UTC days
    await _shape(overdue, next_follow_up=now - timedelta(hours=3))
    ending = await make_case("assigned", ro=officer)
    await _shape(ending, validity_until=now + timedelta(days=3))
    far = await make_case("assigned", ro=officer)
    await _shape(far, validity_until=now + timedelta(days=30))

    assert await reminders.check_overdue(now=now) == {"follow_up_overdue": 1, "validity_ending": 1}
    assert await reminders.check_overdue(now=now + timedelta(hours=1)) == {
        "follow_up_overdue": 0,
        "validity_ending": 0,
    }
    next_day = await reminders.check_overdue(now=now + timedelta(days=1))
    assert next_day == {"follow_up_overdue": 1, "validity_ending": 0}
    assert await _kinds(supervisor) == ["validity_ending"]
    assert sorted(await _kinds(officer)) == [
        "follow_up_overdue",
        "follow_up_overdue",
        "validity_ending",
    ]
    # an extension moves the end: a new warning when the new end draws near
    await _shape(ending, validity_until=now + timedelta(days=5))
    assert (await reminders.check_overdue(now=now + timedelta(days=1)))["validity_ending"] == 1


async def test_the_relay_enqueues_what_is_due_and_nothing_twice(client, services):
    officer = await make_user(Role.RECOVERY_OFFICER)
    pending = await service.notify(
        actor=None,
        kind=NotificationKind.BROADCAST,
        user_ids=[officer.id],
        params={"title": "t", "body": "b"},
    )
    assert len(pending.delivery_ids) == 1
    redis = Redis.from_url(services.redis_url)
    before = redis.llen("celery")
    assert await reminders.relay(now=datetime.now(UTC)) == 0  # its own task has it for now
    assert await reminders.relay(now=datetime.now(UTC) + timedelta(minutes=1)) == 1
    assert redis.llen("celery") == before + 1


def test_the_schedules_are_in_the_beat_table():
    from backend.worker.app import celery_app

    celery_app.loader.import_default_modules()
    for name in (
        "notifications.send_daily_reminders",
        "notifications.check_overdue",
        "notifications.relay",
    ):
        assert BEAT_SCHEDULE[name]["task"] == name and name in celery_app.tasks
    assert "notifications.deliver" in celery_app.tasks
    assert BEAT_SCHEDULE["notifications.check_overdue"]["schedule"] == 3600.0
