"""Report tasks: the daily snapshot of the open book, and the scheduled reports' mail."""

from __future__ import annotations

from backend.core.settings import get_settings
from backend.notifications import senders
from backend.reports import mailing, snapshots
from backend.worker import runtime
from backend.worker.app import celery_app


async def run_snapshot() -> dict[str, int | str]:
    day, count = await snapshots.take()
    return {"day": day, "cases": count}


@celery_app.task(name="reports.snapshot_cases")
def snapshot_cases() -> dict[str, int | str]:
    """Each open case's age bucket, holder and outstanding today (the roll rates' history)."""
    return runtime.run(run_snapshot())


async def run_send_scheduled() -> dict[str, int]:
    smtp = senders.for_process(get_settings(), runtime.resources().http).smtp
    return await mailing.send_due(smtp=smtp)


@celery_app.task(name="reports.send_scheduled")
def send_scheduled() -> dict[str, int]:
    """Mail each subscription's report for its last whole period, once."""
    return runtime.run(run_send_scheduled())
