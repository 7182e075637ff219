"""Enqueue Celery tasks by name, after the write that needs them has committed."""

from __future__ import annotations

import asyncio
from typing import Any

from backend.core.logging import get_logger
from backend.core.settings import Settings

log = get_logger("debtx.worker")


def bind_broker(settings: Settings) -> None:
    """Point this process's Celery app at the configured Redis before first use."""
    from backend.worker.app import celery_app

    celery_app.conf.broker_url = settings.redis.url.get_secret_value()


async def enqueue(task: str, **kwargs: Any) -> None:
    """Send `task` (a `domain.verb` name) with id-only arguments; never blocks the loop."""
    from backend.worker.app import celery_app

    await asyncio.to_thread(celery_app.send_task, task, kwargs=kwargs)
    log.info("task.enqueued", task=task)


REEVALUATE_ACCOUNTS = "dunning.evaluate_accounts"


async def reevaluate_accounts(account_ids: list[str]) -> None:
    """After a commit that changes what an account owes or whether it may be chased (a
    payment, an arrangement, a dispute): evaluate its dunning ladder soon. The change is
    committed already, so a lost enqueue only waits for the daily run."""
    if not account_ids:
        return
    try:
        await enqueue(REEVALUATE_ACCOUNTS, account_ids=account_ids)
    except Exception as exc:
        log.warning("task.enqueue_failed", task=REEVALUATE_ACCOUNTS, error=str(exc))
