"""Settlement tasks."""

from __future__ import annotations

from backend.core.logging import get_logger
from backend.settlements import service
from backend.worker import runtime
from backend.worker.app import celery_app

log = get_logger("debtx.settlements")


async def run_check_missed() -> dict[str, int]:
    sweep = await service.check_missed()
    log.info("settlements.missed.checked", missed=sweep.missed, defaulted=len(sweep.defaulted))
    return {"missed": sweep.missed, "defaulted": len(sweep.defaulted)}


@celery_app.task(name="settlements.check_missed")
def check_missed() -> dict[str, int]:
    """Daily: instalments unpaid past their due day are missed; plans missing too many default."""
    return runtime.run(run_check_missed())
