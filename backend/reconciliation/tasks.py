"""Reconciliation tasks: yesterday's report each night, the balances each month."""

from __future__ import annotations

from datetime import timedelta

from backend.core import clock
from backend.core.settings import get_settings
from backend.reconciliation import service
from backend.worker import runtime
from backend.worker.app import celery_app


async def run_daily() -> dict[str, int]:
    yesterday = clock.now().date() - timedelta(days=1)
    report = await service.run_daily(day=yesterday, settings=get_settings().bank)
    return report.totals.model_dump()


@celery_app.task(name="reconciliation.run_daily")
def daily() -> dict[str, int]:
    """Reconcile yesterday (UTC), once its statements are in."""
    return runtime.run(run_daily())


async def run_balances() -> dict[str, int]:
    month = service.previous_month(clock.now().date())
    found = await service.verify_balances(month=month)
    return {"checked": found.accounts_checked, "differing": len(found.differing)}


@celery_app.task(name="reconciliation.verify_balances")
def verify_balances() -> dict[str, int]:
    """Last month's account balances against BSS's latest figures."""
    return runtime.run(run_balances())
