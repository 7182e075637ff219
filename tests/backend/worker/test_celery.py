"""A real Celery worker consumes tasks from the real Redis broker."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time

import pytest
from celery import Celery
from redis import Redis

from backend.ops.tasks import HEARTBEAT_KEY
from backend.worker.schedule import BEAT_SCHEDULE
from tests.harness import settings_env


@pytest.fixture
def worker(services, settings, tmp_path):
    log = (tmp_path / "worker.log").open("wb")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "backend.worker.app:celery_app",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
        ],
        env={**__import__("os").environ, **settings_env(settings)},
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    yield process
    process.terminate()
    process.wait(20)
    log.close()


def test_worker_runs_the_heartbeat_task(services, worker):
    redis = Redis.from_url(services.redis_url, decode_responses=True)
    redis.delete(HEARTBEAT_KEY)
    Celery(broker=services.redis_url).send_task("ops.heartbeat")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and redis.get(HEARTBEAT_KEY) is None:
        assert worker.poll() is None, "the worker exited"
        time.sleep(0.2)
    assert float(redis.get(HEARTBEAT_KEY)) == pytest.approx(time.time(), abs=90)


def test_every_scheduled_task_is_registered():
    from backend.worker.app import celery_app

    celery_app.loader.import_default_modules()
    assert {entry["task"] for entry in BEAT_SCHEDULE.values()} <= set(celery_app.tasks)


async def test_enqueue_reaches_a_worker_on_the_configured_broker(app, services, worker):
    from backend.worker.dispatch import enqueue

    redis = Redis.from_url(services.redis_url, decode_responses=True)
    redis.delete(HEARTBEAT_KEY)
    await enqueue("ops.heartbeat")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and redis.get(HEARTBEAT_KEY) is None:
        await asyncio.sleep(0.2)
    assert redis.get(HEARTBEAT_KEY) is not None
