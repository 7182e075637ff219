"""End to end: a committed assignment is enqueued, a real Celery worker sends it to the
local FCM server, and a transient failure comes back through Celery's retry."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from backend.notifications.models import Delivery, DeliveryStatus
from backend.users.models import Role
from tests.backend.notifications.conftest import SMS_KEY, Edges
from tests.backend.notifications.servers import UNAVAILABLE, ServiceAccount, wait_for
from tests.factories import bearer, make_case, make_drc, make_user
from tests.harness import celery_worker


@pytest.fixture
def worker(settings, edges: Edges, service_account: ServiceAccount, tmp_path) -> Iterator[None]:
    with celery_worker(
        settings,
        tmp_path / "worker.log",
        DEBTX_NOTIFICATIONS__FCM_BASE_URL=edges.fcm.base_url,
        DEBTX_NOTIFICATIONS__FCM_TOKEN_URL=edges.fcm.token_url,
        DEBTX_NOTIFICATIONS__FCM_CREDENTIALS_FILE=str(service_account.path),
        DEBTX_NOTIFICATIONS__SMS_GATEWAY_URL=edges.sms.url,
        DEBTX_NOTIFICATIONS__SMS_API_KEY=SMS_KEY,
        DEBTX_NOTIFICATIONS__RETRY_BACKOFF_SECONDS="1",
    ) as process:
        yield
    assert process.returncode is not None


async def test_a_worker_delivers_after_commit_and_retries_through_celery(
    client, signing_key, edges, worker
):
    drc = await make_drc()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id)
    await client.put(
        "/notifications/devices/phone",
        json={"token": "worker-token", "platform": "ios"},
        headers=bearer(signing_key, officer),
    )
    edges.fcm.answers = {"worker-token": [UNAVAILABLE]}  # Retry-After: 2
    case = await make_case("allocated", drc_id=drc.id)
    assigned = await client.post(
        f"/cases/{case.id}/assignment",
        json={"ro_id": officer.id},
        headers=bearer(signing_key, supervisor),
    )
    assert assigned.status_code == 200
    assert wait_for(lambda: len(edges.fcm.sends) >= 2, timeout=60), "the worker sent nothing"
    first, second = edges.fcm.sends[:2]
    assert first.body == second.body and second.body["message"]["token"] == "worker-token"
    assert second.headers["authorization"] == "Bearer ya29.test-access-1"

    stored = await Delivery.find_one({"user_id": officer.id})
    for _ in range(50):  # the worker records the outcome just after the send
        if stored.status is DeliveryStatus.SENT:
            break
        await asyncio.sleep(0.2)
        stored = await Delivery.find_one({"user_id": officer.id})
    assert stored.status is DeliveryStatus.SENT and stored.attempts == 2
    assert [e.status for e in stored.events] == [DeliveryStatus.RETRYING, DeliveryStatus.SENT]
    assert (stored.events[1].at - stored.events[0].at).total_seconds() >= 1.9
