"""End to end: a committed suspension is enqueued, a real Celery worker posts it to the
local OSS, and the failed first attempt comes back through Celery's retry."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from bson import ObjectId

from backend.devstack.oss import LocalOss
from backend.oss import service
from backend.oss.models import EventStatus, OssEvent
from tests.harness import celery_worker


@pytest.fixture
def worker(settings, oss_server: LocalOss, tmp_path) -> Iterator[None]:
    oss_server.reset()
    with celery_worker(
        settings,
        tmp_path / "worker.log",
        DEBTX_OSS__BASE_URL=oss_server.base_url,
        DEBTX_OSS__RETRY_BACKOFF_SECONDS="1",
    ):
        yield


async def _settled(event_id: str) -> OssEvent:
    for _ in range(300):
        stored = await OssEvent.get(ObjectId(event_id))
        assert stored is not None
        if stored.status is not EventStatus.PENDING:
            return stored
        await asyncio.sleep(0.2)
    raise AssertionError("the worker did not deliver the event")


async def test_a_worker_delivers_after_commit_and_retries_through_celery(app, oss_server, worker):
    oss_server.fail(1)
    event = await service.request_suspension(account_id="ACC-00990001", reason="ladder")
    stored = await _settled(event.id)
    assert stored.status is EventStatus.DELIVERED and stored.attempts == 2
    assert [a.status for a in stored.history] == [503, 202]
    assert [r.idempotency_key for r in oss_server.received] == [event.idempotency_key] * 2
    assert all(r.verified for r in oss_server.received)
