"""Suspension and reinstatement requests: written with the caller's change, sent to the
local OSS as signed webhooks, retried with backoff, never sent twice."""

from __future__ import annotations

from datetime import timedelta

import pytest
from bson import ObjectId

from backend.audit.models import AuditRecord
from backend.core import clock, db
from backend.oss import service
from backend.oss.errors import NotSuspended
from backend.oss.models import EventStatus, OssEvent, ServiceState, ServiceStatus
from backend.users.models import Role
from tests.factories import bearer, make_user

ACCOUNT = "ACC-00770001"


async def _stored(event_id: str) -> OssEvent:
    event = await OssEvent.get(ObjectId(event_id))
    assert event is not None
    return event


async def test_a_suspension_reaches_oss_signed_and_the_state_says_requested(oss):
    event = await service.request_suspension(account_id=ACCOUNT, reason="final notice unanswered")
    assert event.status is EventStatus.PENDING and event.idempotency_key.startswith("suspension:")
    assert (await service.service_state(ACCOUNT)).status is ServiceStatus.SUSPENSION_REQUESTED

    assert await oss.deliver(event.id) is None
    [received] = oss.server.received
    assert received.verified  # the server checked the HMAC over timestamp.body
    assert received.status == 202
    assert received.idempotency_key == event.idempotency_key
    assert received.json["account_id"] == ACCOUNT and received.json["kind"] == "suspension"
    stored = await _stored(event.id)
    assert stored.status is EventStatus.DELIVERED and stored.attempts == 1
    assert await AuditRecord.find({"action": "oss.suspension_request"}).count() == 1


async def test_failures_are_retried_with_growing_backoff_under_one_idempotency_key(oss):
    event = await service.request_suspension(account_id=ACCOUNT, reason="ladder step")
    oss.server.fail(2)
    now = clock.now()
    first = await oss.deliver(event.id, now=now)
    assert first is not None and 5.0 <= first <= 10.0  # half to all of the base, jittered
    stored = await _stored(event.id)
    assert stored.status is EventStatus.PENDING and stored.attempts == 1
    assert stored.history[0].status == 503

    assert await oss.deliver(event.id, now=now) is None  # not due yet: nothing is sent
    assert len(oss.server.received) == 1

    later = now + timedelta(seconds=first + 1)
    second = await oss.deliver(event.id, now=later)
    assert second is not None and 10.0 <= second <= 20.0
    assert await oss.deliver(event.id, now=later + timedelta(seconds=second + 1)) is None
    stored = await _stored(event.id)
    assert stored.status is EventStatus.DELIVERED and stored.attempts == 3
    keys = {r.idempotency_key for r in oss.server.received}
    assert keys == {event.idempotency_key} and len(oss.server.received) == 3
    assert all(r.verified for r in oss.server.received)


async def test_a_late_answer_times_out_and_the_retry_is_taken_once(oss):
    event = await service.request_suspension(account_id=ACCOUNT, reason="ladder step")
    oss.server.answer_late(1.5)
    wait = await oss.deliver(event.id)
    assert wait is not None
    stored = await _stored(event.id)
    assert stored.status is EventStatus.PENDING and stored.history[0].detail == "timed out"
    oss.server.answer_late(0)
    assert await oss.deliver(event.id, now=clock.now() + timedelta(seconds=wait + 1)) is None
    assert (await _stored(event.id)).status is EventStatus.DELIVERED
    assert list(oss.server.applied) == [event.idempotency_key]  # OSS applied it once
    assert [r.status for r in oss.server.received] == [202, 200]


async def test_after_the_last_attempt_the_event_fails_where_operator_staff_see_it(
    oss, client, signing_key
):
    event = await service.request_suspension(account_id=ACCOUNT, reason="ladder step")
    oss.server.fail(10)
    at = clock.now()
    for _ in range(oss.settings.max_attempts):
        wait = await oss.deliver(event.id, now=at)
        at += timedelta(seconds=(wait or 0) + 1)
    stored = await _stored(event.id)
    assert stored.status is EventStatus.FAILED and stored.attempts == oss.settings.max_attempts
    assert await oss.deliver(event.id, now=at + timedelta(days=1)) is None

    operator = await make_user(Role.OPERATOR_OFFICER)
    answer = await client.get(
        "/oss/events", params={"status": "failed"}, headers=bearer(signing_key, operator)
    )
    assert answer.status_code == 200
    assert [e["id"] for e in answer.json()["items"]] == [event.id]
    officer = await make_user(Role.RECOVERY_OFFICER)
    refused = await client.get("/oss/events", headers=bearer(signing_key, officer))
    assert refused.status_code == 403

    oss.server.reset()
    url = f"/oss/events/{event.id}/retry"
    again = await client.post(url, headers=bearer(signing_key, operator))
    assert again.status_code == 200 and again.json()["status"] == "pending"
    assert (await client.post(url, headers=bearer(signing_key, operator))).status_code == 409
    assert await oss.deliver(event.id) is None
    assert [r.idempotency_key for r in oss.server.received] == [event.idempotency_key]
    assert (await _stored(event.id)).status is EventStatus.DELIVERED
    assert await AuditRecord.find({"action": "oss.event_retry"}).count() == 1


async def test_operator_staff_page_through_the_events_newest_first(oss, client, signing_key):
    made = [
        await service.request_suspension(account_id=f"ACC-0077000{n}", reason="ladder")
        for n in range(3)
    ]
    operator = await make_user(Role.OPERATOR_ADMIN)
    headers = bearer(signing_key, operator)
    first = (await client.get("/oss/events", params={"limit": 2}, headers=headers)).json()
    cursor = first["next_cursor"]
    assert cursor is not None
    params = {"limit": 2, "cursor": cursor}
    second = (await client.get("/oss/events", params=params, headers=headers)).json()
    assert second["next_cursor"] is None
    shown = [e["id"] for e in first["items"] + second["items"]]
    assert shown == [e.id for e in reversed(made)]
    one = {"account_id": made[1].account_id, "kind": "suspension", "status": "pending"}
    only = (await client.get("/oss/events", params=one, headers=headers)).json()
    assert [e["id"] for e in only["items"]] == [made[1].id]


async def test_running_the_delivery_and_the_sweep_twice_sends_nothing_twice(oss):
    event = await service.request_suspension(account_id=ACCOUNT, reason="ladder step")
    again = await service.request_suspension(account_id=ACCOUNT, reason="ladder step, again")
    assert again.id == event.id  # asked already this cycle: the same event
    for _ in range(2):
        await oss.deliver(event.id)
        assert await service.sweep(http=oss.http, settings=oss.settings) == 0
    assert len(oss.server.received) == 1


async def test_the_sweep_sends_what_a_lost_enqueue_left_behind(oss):
    event = await service.request_suspension(account_id=ACCOUNT, reason="ladder step")
    assert await service.sweep(http=oss.http, settings=oss.settings) == 1
    assert (await _stored(event.id)).status is EventStatus.DELIVERED
    assert await service.sweep(http=oss.http, settings=oss.settings) == 0


async def test_the_event_is_written_with_the_callers_change_or_not_at_all(oss):
    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await service.request_suspension(account_id=ACCOUNT, reason="x", session=session)
            raise RuntimeError("the caller's own write failed")
    assert await OssEvent.count() == 0 and await ServiceState.count() == 0
    assert (await service.service_state(ACCOUNT)).status is ServiceStatus.ACTIVE

    async with db.transaction() as session:
        event = await service.request_suspension(account_id=ACCOUNT, reason="x", session=session)
        assert await OssEvent.find({"_id": ObjectId(event.id)}).count() == 0  # not yet seen
    assert (await _stored(event.id)).status is EventStatus.PENDING


async def test_reinstating_an_account_never_suspended_is_refused(oss):
    with pytest.raises(NotSuspended):
        await service.request_reinstatement(account_id=ACCOUNT, reason="paid")
    assert await OssEvent.count() == 0
