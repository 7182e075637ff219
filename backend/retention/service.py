"""A retention run: archive closed cases, minimise customers long gone, prune the sync
change log and the delivery log; each part counted, and stored unless it was dry."""

from __future__ import annotations

import calendar
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial

from bson import ObjectId

from backend.audit.service import Actor
from backend.cases import service as cases
from backend.cases.errors import CaseChanged
from backend.core import clock, db
from backend.core.logging import get_logger
from backend.core.settings import RetentionSettings, Settings
from backend.customers.errors import CustomerChanged
from backend.notifications import service as notifications
from backend.retention import archive, minimise, repository
from backend.retention.models import RetentionRun, RunPart
from backend.retention.schemas import RetentionRunRead
from sync import changelog

log = get_logger("debtx.retention")


def months_before(at: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day when
    it is shorter)."""
    index = at.year * 12 + at.month - 1 - months
    year, month = divmod(index, 12)
    day = min(at.day, calendar.monthrange(year, month + 1)[1])
    return at.replace(year=year, month=month + 1, day=day)


def cutoffs_of(settings: Settings, now: datetime) -> dict[str, datetime]:
    kept = settings.retention
    return {
        "cases_closed_before": months_before(now, kept.archive_closed_after_months),
        "customers_unchanged_since": months_before(now, 12 * kept.minimise_customers_after_years),
        "changes_sequenced_before": now - timedelta(days=settings.sync.retention_days),
        "deliveries_finished_before": now - timedelta(days=kept.delivery_log_days),
    }


class Tally:
    """Counts ids met by one part of a run, keeping the first few as a sample."""

    def __init__(self, sample_size: int) -> None:
        self.part = RunPart()
        self.sample_size = sample_size

    def add(self, ids: list[str]) -> None:
        self.part.count += len(ids)
        room = self.sample_size - len(self.part.sample)
        self.part.sample.extend(ids[: max(room, 0)])


async def run(
    *,
    actor: Actor | None,
    settings: Settings,
    dry_run: bool = False,
    now: datetime | None = None,
) -> RetentionRunRead:
    """One run at `now` (default: the clock's); a dry run changes nothing, not even the
    list of runs, and answers what a real run would do."""
    at = now or clock.now()
    record = RetentionRun(dry_run=dry_run, actor_uid=actor.id if actor else None, cutoffs={})
    record.cutoffs = cutoffs_of(settings, at)
    kept = settings.retention
    record.archived_cases = await _archive(record, kept, actor=actor)
    record.minimised_customers = await _minimise(record, kept, actor=actor)
    record.pruned_changes = await _prune_changes(record, settings, now=at)
    record.pruned_deliveries = await _prune_deliveries(record, kept)
    record.finished_at = clock.now()
    if not dry_run:
        await repository.insert_run(record)
    read = run_read(record)
    log.info("retention.run", **read.model_dump(mode="json", exclude={"cutoffs"}))
    return read


# A case or customer that changed while the run read it is left for the next run.
CHANGED_MEANWHILE = (CaseChanged, CustomerChanged, db.WriteConflict)


async def _settle(tally: Tally, key: str, work: Callable[[], Awaitable[None]]) -> None:
    """Do one item's work and count it, unless it changed meanwhile."""
    try:
        await work()
    except CHANGED_MEANWHILE:
        log.info("retention.changed_meanwhile", id=key)
        return
    tally.add([key])


async def _archive(
    record: RetentionRun, kept: RetentionSettings, *, actor: Actor | None
) -> RunPart:
    tally = Tally(kept.sample_size)
    cutoff = record.cutoffs["cases_closed_before"]
    async for ids in cases.closed_ids_before(cutoff, size=kept.batch_size):
        if record.dry_run:
            tally.add(ids)
            continue
        for case in await cases.many_by_id(ids):
            await _settle(
                tally, str(case.id), partial(archive.archive_case, actor=actor, case=case)
            )
    return tally.part


async def _minimise(
    record: RetentionRun, kept: RetentionSettings, *, actor: Actor | None
) -> RunPart:
    tally = Tally(kept.sample_size)
    cutoff = record.cutoffs["customers_unchanged_since"]
    async for page in minimise.stale_customers(cutoff, size=kept.batch_size):
        if record.dry_run:
            tally.add([c.id for c in page])
            continue
        for customer in page:
            work = partial(minimise.minimise_customer, actor=actor, customer=customer)
            await _settle(tally, customer.id, work)
    return tally.part


async def _prune_changes(record: RetentionRun, settings: Settings, *, now: datetime) -> RunPart:
    """The change log: what pulls may still ask for is DEBTX_SYNC__RETENTION_DAYS."""
    older_than = timedelta(days=settings.sync.retention_days)
    if record.dry_run:
        count, last = await changelog.prunable(older_than=older_than, now=now)
        return RunPart(count=count, sample=[str(last)] if count else [])
    await changelog.sequence_all()
    count, last = await changelog.prunable(older_than=older_than, now=now)
    pruned = await changelog.prune(older_than=older_than, now=now)
    return RunPart(count=pruned, sample=[str(last)] if pruned else [])


async def _prune_deliveries(record: RetentionRun, kept: RetentionSettings) -> RunPart:
    tally = Tally(kept.sample_size)
    cutoff = record.cutoffs["deliveries_finished_before"]
    after: str | None = None
    while ids := await notifications.finished_deliveries_before(
        cutoff, after=after, limit=kept.batch_size
    ):
        after = ids[-1]
        if not record.dry_run:
            await notifications.delete_deliveries(ids)
        tally.add(ids)
    return tally.part


def run_read(run: RetentionRun) -> RetentionRunRead:
    return RetentionRunRead.model_validate(
        {**run.model_dump(exclude={"id"}), "id": None if run.id is None else str(run.id)}
    )


async def list_runs(
    *, cursor: ObjectId | None, limit: int
) -> tuple[list[RetentionRunRead], str | None]:
    """Runs newest first; the cursor of the next page, if there may be one."""
    runs = await repository.runs_page(before=cursor, limit=limit)
    more = str(runs[-1].id) if len(runs) == limit else None
    return [run_read(r) for r in runs], more
