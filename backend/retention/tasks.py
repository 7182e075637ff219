"""The daily retention run."""

from __future__ import annotations

from typing import Any

from backend.core.settings import get_settings
from backend.retention import service
from backend.worker import runtime
from backend.worker.app import celery_app


async def run_retention() -> dict[str, Any]:
    done = await service.run(actor=None, settings=get_settings())
    return done.model_dump(mode="json")


@celery_app.task(name="retention.run")
def run() -> dict[str, Any]:
    """Daily: archive, minimise and prune as DEBTX_RETENTION__* say; a run record kept."""
    return runtime.run(run_retention())
