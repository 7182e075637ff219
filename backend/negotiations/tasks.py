"""Negotiation tasks."""

from __future__ import annotations

from backend.core.logging import get_logger
from backend.negotiations import service
from backend.worker import runtime
from backend.worker.app import celery_app

log = get_logger("debtx.negotiations")


async def run_check_promises() -> int:
    broken = await service.break_overdue_promises()
    log.info("negotiations.promises.checked", broken=broken)
    return broken


@celery_app.task(name="negotiations.check_promises")
def check_promises() -> int:
    """Daily: promises whose due day passed without full payment are broken."""
    return runtime.run(run_check_promises())
