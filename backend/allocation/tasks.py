"""Allocation tasks: place new cases, sweep the pool, recall expired cases."""

from __future__ import annotations

from backend.allocation import service
from backend.allocation.schemas import AllocationSummary, RecallSummary
from backend.core.settings import get_settings
from backend.worker import runtime
from backend.worker.app import celery_app


def _counts(summary: AllocationSummary | None) -> dict[str, int]:
    if summary is None:
        return {}
    return {
        "allocated": len(summary.allocated),
        "unallocated": len(summary.unallocated),
        "skipped": len(summary.skipped),
    }


async def run_allocate_new(case_ids: list[str]) -> dict[str, int]:
    """Allocate the listed cases; ones gone or no longer NEW are skipped."""
    config = get_settings().allocation
    summary = await service.allocate_cases(
        actor=None,
        case_ids=[str(i) for i in case_ids],
        exclude_previous=config.exclude_previous_drc,
    )
    return _counts(summary)


async def run_allocate_pool() -> dict[str, int]:
    """One bounded pass over the pool, for cases earlier runs could not place."""
    config = get_settings().allocation
    summary = await service.allocate_pool(
        actor=None, limit=config.batch_size, exclude_previous=config.exclude_previous_drc
    )
    return _counts(summary)


async def run_recall_expired() -> dict[str, int]:
    """Recall cases past their validity period and re-allocate them."""
    config = get_settings().allocation
    summary: RecallSummary = await service.recall_expired(
        actor=None,
        limit=config.batch_size,
        reallocate=config.reallocate_on_recall,
        exclude_previous=config.exclude_previous_drc,
    )
    counts = {"recalled": len(summary.recalled), "not_recalled": len(summary.skipped)}
    return counts | {f"reallocation_{k}": v for k, v in _counts(summary.reallocation).items()}


@celery_app.task(name="allocation.allocate_new")
def allocate_new(case_ids: list[str]) -> dict[str, int]:
    """Enqueued by intake with the ids of the cases it just opened."""
    return runtime.run(run_allocate_new(case_ids))


@celery_app.task(name="allocation.allocate_pool")
def allocate_pool() -> dict[str, int]:
    """Hourly: retry cases still in the pool (capacity may have freed, rules changed)."""
    return runtime.run(run_allocate_pool())


@celery_app.task(name="allocation.recall_expired")
def recall_expired() -> dict[str, int]:
    """Hourly: the validity period is enforced even when nobody presses a button."""
    return runtime.run(run_recall_expired())
