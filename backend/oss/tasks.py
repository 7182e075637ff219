"""OSS tasks: deliver one event (retried with backoff), and the sweep of due events and
open cure records."""

from __future__ import annotations

from typing import Any

from backend.core.settings import get_settings
from backend.oss import cure, service
from backend.worker import runtime
from backend.worker.app import celery_app


async def run_deliver(event_id: str) -> float | None:
    return await service.deliver(
        event_id, http=runtime.resources().http, settings=get_settings().oss
    )


@celery_app.task(name="oss.deliver", bind=True, max_retries=None)
def deliver(self: Any, event_id: str) -> None:
    """Enqueued after the event commits; a failed attempt comes back after its backoff."""
    wait = runtime.run(run_deliver(event_id))
    if wait is not None:
        raise self.retry(kwargs={"event_id": event_id}, countdown=wait)


async def run_sweep() -> dict[str, int]:
    """Cures first, so a reinstatement they ask for goes out in the same sweep."""
    cured = await cure.sweep()
    sent = await service.sweep(http=runtime.resources().http, settings=get_settings().oss)
    return {**cured, "sent": sent}


@celery_app.task(name="oss.sweep")
def sweep() -> dict[str, int]:
    """Open cures, then due events no task is sending (a lost enqueue, a retry due)."""
    return runtime.run(run_sweep())
