"""Bank tasks: the scheduled fetch of new statement files."""

from __future__ import annotations

from backend.banking import fetching
from backend.core.settings import get_settings
from backend.worker import runtime
from backend.worker.app import celery_app


async def run_fetch() -> dict[str, int]:
    report = await fetching.fetch_statements(
        http=runtime.resources().http, settings=get_settings().bank
    )
    return {"listed": report.listed, "imported": len(report.imported), "known": report.known}


@celery_app.task(name="banking.fetch_statements")
def fetch_statements() -> dict[str, int]:
    """Every new statement file of today and the days before, each imported once."""
    return runtime.run(run_fetch())
