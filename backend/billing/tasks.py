"""Billing's scheduled work: BSS's feed drop folder, one sweep at a time."""

from __future__ import annotations

from backend.billing import feeds
from backend.core.locks import lease
from backend.core.logging import get_logger
from backend.worker import runtime
from backend.worker.app import celery_app

log = get_logger("debtx.billing")

LOCK = "debtx:lock:billing.import_feeds"
LOCK_SECONDS = 2 * 3600


async def _import_drop_folder() -> int:
    resources = runtime.resources()
    settings = resources.settings.billing
    if settings.feed_dir is None:
        return 0
    async with lease(resources.redis, LOCK, seconds=LOCK_SECONDS) as held:
        if not held.held:
            log.info("billing.feeds.already_running")
            return 0
        return len(await feeds.import_drop_folder(settings=settings))


@celery_app.task(name="billing.import_feeds")
def import_feeds() -> int:
    """Take in new files from DEBTX_BILLING__FEED_DIR (off when unset); returns the count."""
    return runtime.run(_import_drop_folder())
