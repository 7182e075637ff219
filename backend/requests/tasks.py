"""Officer request tasks."""

from __future__ import annotations

from backend.core.logging import get_logger
from backend.requests import service
from backend.worker import runtime
from backend.worker.app import celery_app

log = get_logger("debtx.requests")


async def run_reject_moot() -> int:
    rejected = await service.reject_moot()
    log.info("requests.moot.rejected", rejected=rejected)
    return rejected


@celery_app.task(name="requests.reject_moot")
def reject_moot() -> int:
    """Hourly: pending requests on cases that have since closed are rejected."""
    return runtime.run(run_reject_moot())
