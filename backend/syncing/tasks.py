"""Sync upkeep: the Firestore outbox poller (for deployments without the Cloud Function)
and the change log's retention."""

from __future__ import annotations

from datetime import timedelta

from backend.core.locks import lease
from backend.core.logging import get_logger
from backend.core.settings import get_settings
from backend.syncing import mirror, outbox
from backend.worker import runtime
from backend.worker.app import celery_app
from sync import changelog

log = get_logger("debtx.mirror")

MIRROR_LOCK = "debtx:sync:mirror"
MIRROR_LEASE_SECONDS = 20.0


async def run_poll_outbox() -> dict[str, int]:
    return await outbox.poll(resources=runtime.resources())


@celery_app.task(name="sync.poll_outbox")
def poll_outbox() -> dict[str, int]:
    """Every few seconds: apply open outbox documents and write their results back."""
    return runtime.run(run_poll_outbox())


async def run_prune_changes() -> int:
    await changelog.sequence_all()
    days = get_settings().sync.retention_days
    return await changelog.prune(older_than=timedelta(days=days))


@celery_app.task(name="sync.prune_changes")
def prune_changes() -> int:
    """Daily: drop change-log history older than DEBTX_SYNC__RETENTION_DAYS."""
    return runtime.run(run_prune_changes())


async def run_mirror(seconds: float) -> int:
    """Follow the change log into Firestore for `seconds`, if no other worker does."""
    resources = runtime.resources()
    async with lease(resources.redis, MIRROR_LOCK, seconds=MIRROR_LEASE_SECONDS) as held:
        if not held.held:
            return 0
        settings = get_settings().sync
        follower = mirror.mirror(
            resources.firestore,
            page=settings.mirror_page,
            summary_every=settings.mirror_summary_seconds,
        )
        return await follower.run(
            seconds=seconds, idle=settings.mirror_idle_seconds, keepalive=held.renew
        )


@celery_app.task(name="sync.mirror")
def run_mirror_window() -> int:
    """Every half minute: follow the log for a minute; the lease keeps one follower."""
    return runtime.run(run_mirror(get_settings().sync.mirror_window_seconds))


async def run_verify_mirror() -> int:
    drifts = await mirror.verify_all(runtime.resources().firestore, repair=True)
    for drift in drifts:
        log.warning("mirror.drift_repaired", **drift.report())
    return len(drifts)


@celery_app.task(name="sync.verify_mirror")
def verify_mirror() -> int:
    """Nightly: compare every officer's Firestore tree with MongoDB and mend drift."""
    return runtime.run(run_verify_mirror())
