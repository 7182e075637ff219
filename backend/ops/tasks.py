"""Operational tasks."""

from __future__ import annotations

import time

from backend.worker import runtime
from backend.worker.app import celery_app

HEARTBEAT_KEY = "debtx:worker:heartbeat"


async def _beat() -> float:
    now = time.time()
    await runtime.resources().redis.set(HEARTBEAT_KEY, now, ex=600)
    return now


@celery_app.task(name="ops.heartbeat")
def heartbeat() -> float:
    """Proves beat schedules and a worker consumes: readyz reports its age."""
    return runtime.run(_beat())


@celery_app.task(name="pii.reseal")
def reseal_pii() -> dict[str, dict[str, int]]:
    """Every personal value under the current key (run after adding and choosing a key)."""
    from backend.ops.pii import reseal_all

    return runtime.run(reseal_all())
