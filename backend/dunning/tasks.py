"""Dunning tasks: the daily fan-out over every account, and the chunks it hands out."""

from __future__ import annotations

from backend.core.db import WriteConflict
from backend.core.logging import get_logger
from backend.dunning import service
from backend.worker import runtime
from backend.worker.app import celery_app

log = get_logger("debtx.dunning")
# a chunk that still lost a write conflict runs again later: a step is taken once a cycle,
# so its accounts evaluated already take nothing twice
RETRIED = {"autoretry_for": (WriteConflict,), "retry_backoff": 5, "max_retries": 5}


async def run_evaluate_all() -> int:
    chunks = await service.evaluate_all()
    log.info("dunning.evaluation.fanned_out", chunks=chunks)
    return chunks


@celery_app.task(name="dunning.evaluate_all")
def evaluate_all() -> int:
    """Daily: every account's ids, in chunks, each to a `dunning.evaluate_chunk` task."""
    return runtime.run(run_evaluate_all())


async def run_evaluate_chunk(account_ids: list[str]) -> dict[str, int]:
    summary = await service.evaluate_accounts([str(i) for i in account_ids])
    log.info("dunning.evaluation.chunk", **summary.model_dump())
    return summary.model_dump()


@celery_app.task(name="dunning.evaluate_chunk", **RETRIED)
def evaluate_chunk(account_ids: list[str]) -> dict[str, int]:
    """Evaluate a chunk of accounts; any worker on any machine may take one."""
    return runtime.run(run_evaluate_chunk(account_ids))


@celery_app.task(name="dunning.evaluate_accounts", **RETRIED)
def evaluate_accounts(account_ids: list[str]) -> dict[str, int]:
    """On change: the accounts whose balance, case or dispute just changed."""
    return runtime.run(run_evaluate_chunk(account_ids))
