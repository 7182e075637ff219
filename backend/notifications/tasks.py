"""Notification tasks: send deliveries (retried with backoff), reminders, the relay."""

from __future__ import annotations

from typing import Any

from backend.core.logging import get_logger
from backend.core.settings import get_settings
from backend.notifications import delivery, reminders, senders
from backend.worker import runtime
from backend.worker.app import celery_app

log = get_logger("debtx.notifications")


async def run_deliver(delivery_ids: list[str]) -> delivery.Retry:
    settings = get_settings()
    chosen = senders.for_process(settings, runtime.resources().http)
    return await delivery.deliver([str(i) for i in delivery_ids], senders=chosen)


@celery_app.task(name="notifications.deliver", bind=True, max_retries=None)
def deliver(self: Any, delivery_ids: list[str]) -> int:
    """Enqueued after the triggering change commits; transient failures come back here
    with the failed ids only, after the backoff the deliveries record."""
    retry = runtime.run(run_deliver(delivery_ids))
    if retry.delivery_ids:
        log.info("notifications.retry_scheduled", deliveries=len(retry.delivery_ids))
        raise self.retry(kwargs={"delivery_ids": retry.delivery_ids}, countdown=retry.countdown)
    return len(delivery_ids)


@celery_app.task(name="notifications.send_daily_reminders")
def send_daily_reminders() -> dict[str, int]:
    """Daily: promises and follow-ups due today, mediation hearings tomorrow."""
    return runtime.run(reminders.send_daily_reminders())


@celery_app.task(name="notifications.check_overdue")
def check_overdue() -> dict[str, int]:
    """Hourly: overdue follow-ups, validity periods about to end."""
    return runtime.run(reminders.check_overdue())


@celery_app.task(name="notifications.relay")
def relay() -> int:
    """Every minute: due deliveries no task is sending (lost enqueue, quiet hours over)."""
    return runtime.run(reminders.relay())
