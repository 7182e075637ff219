"""The daily backup."""

from __future__ import annotations

from typing import Any

from backend.backups import service
from backend.core.settings import get_settings
from backend.worker import runtime
from backend.worker.app import celery_app


async def run_create() -> dict[str, Any]:
    made = await service.create_backup(client=runtime.resources().mongo, settings=get_settings())
    return made.model_dump(mode="json")


@celery_app.task(name="backups.create")
def create() -> dict[str, Any]:
    """Daily at DEBTX_BACKUPS__HOUR_UTC: a backup, then all but the newest KEEP deleted."""
    return runtime.run(run_create())
