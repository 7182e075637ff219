"""Scheduled work on cases."""

from __future__ import annotations

from backend.cases import repository
from backend.worker import runtime
from backend.worker.app import celery_app


@celery_app.task(name="cases.rebuild_officer_counts")
def rebuild_officer_counts() -> int:
    """Recount officers' per-phase counts and the count shards from the cases: mends
    drift after restores or raw loads. Returns how many officers hold cases."""
    return runtime.run(repository.rebuild_officer_counts())
