"""Intake's scheduled work: the data lake's drop folder."""

from __future__ import annotations

from redis.exceptions import LockError

from backend.core.logging import get_logger
from backend.intake import service
from backend.worker import runtime
from backend.worker.app import celery_app

log = get_logger("debtx.intake")

LOCK = "debtx:lock:intake.import_datalake"
LOCK_SECONDS = 6 * 3600


async def _import_drop_folder() -> int:
    resources = runtime.resources()
    settings = resources.settings.intake
    if settings.datalake_dir is None:
        return 0
    lock = resources.redis.lock(LOCK, timeout=LOCK_SECONDS, blocking=False)
    if not await lock.acquire():
        log.info("intake.datalake.already_running")
        return 0
    try:
        return len(await service.import_drop_folder(settings=settings))
    finally:
        try:
            await lock.release()
        except LockError:
            log.warning("intake.datalake.lock_expired")


@celery_app.task(name="intake.import_datalake")
def import_datalake() -> int:
    """Import new files from DEBTX_INTAKE__DATALAKE_DIR (off when unset); returns the count."""
    return runtime.run(_import_drop_folder())
