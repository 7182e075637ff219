"""Incidents in: registered one by one, uploaded in bulk, or picked up from the data lake.

Every path validates the same way (drafts.py), merges the customer and account through
the customers domain, and opens one case per incident through the cases domain; the new
cases are handed to allocation after the write commits.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.audit.service import Actor
from backend.cases import service as cases
from backend.core import db
from backend.core.errors import Forbidden
from backend.core.logging import get_logger
from backend.core.pagination import Page, object_id_cursor
from backend.core.settings import IntakeSettings
from backend.customers import service as customers
from backend.intake import repository
from backend.intake.batches import BatchImport, allocate
from backend.intake.drafts import BODY_FIELDS, check, draft_from_request, prepare
from backend.intake.errors import BatchNotFound, IncidentInvalid, InvalidFile
from backend.intake.models import Incident, IncidentBatch, IncidentSource
from backend.intake.rows import count_rows, rows_of
from backend.intake.schemas import BatchRead, BatchSummary, IncidentCreate, IncidentRead
from backend.intake.uploads import EXTENSIONS, Fingerprint, Upload, format_of
from backend.users.models import User

log = get_logger("debtx.intake")

FILE_CHUNK_BYTES = 256 * 1024
NO_ROWS = "The file has no rows"


def incident_read(incident: Incident) -> IncidentRead:
    return IncidentRead.model_validate(
        {
            **incident.model_dump(),
            "id": str(incident.id),
            "overdue_since": incident.overdue_since.date(),
        }
    )


def batch_read(batch: IncidentBatch) -> BatchRead:
    return BatchRead.model_validate({**batch.model_dump(), "id": str(batch.id)})


async def register_incident(
    *, actor: User | None, data: IncidentCreate, settings: IntakeSettings
) -> Incident:
    """Validate one incident, merge its customer and account, and open its case
    (`actor` None: DebtX itself, e.g. a dunning ladder handing the account over)."""
    draft, problems = draft_from_request(data)
    problems += [
        (BODY_FIELDS.get(f, f), r) for f, r in check(draft, currencies=settings.currencies)
    ]
    if problems:
        raise IncidentInvalid(
            f"{len(problems)} problem(s) with the incident",
            errors=[{"in": "body", "field": f, "reason": r} for f, r in problems],
        )
    prepared = prepare(
        draft, source=IncidentSource.MANUAL, actor_id=actor.id if actor is not None else None
    )
    incident = prepared.incident
    async with db.transaction() as session:
        await customers.upsert_many(
            records=[prepared.record], source=IncidentSource.MANUAL.value, session=session
        )
        case = await cases.open_case(
            actor=actor, case=prepared.case, keys=prepared.keys, session=session
        )
        incident.case_id = str(case.id)
        await repository.insert_incident(incident, session=session)
        await audit.record(
            actor=actor,
            action="incident.create",
            entity_type="incident",
            entity_id=str(incident.id),
            after=incident_read(incident).model_dump(mode="json", include=_AUDITED),
            session=session,
        )
    await allocate([incident.case_id])
    return incident


_AUDITED = {"source", "external_ref", "action", "account_id", "customer_id", "case_id"}


async def import_rows(
    *,
    actor: Actor | None,
    source: IncidentSource,
    fmt: str,
    filename: str | None,
    chunks: AsyncIterator[bytes],
    settings: IntakeSettings,
) -> IncidentBatch:
    """Import a CSV or JSON Lines stream as one batch; rows are read and written as they come."""
    run = BatchImport(actor=actor, source=source, filename=filename, fmt=fmt, settings=settings)
    return await _run_import(run, chunks)


async def _run_import(run: BatchImport, chunks: AsyncIterator[bytes]) -> IncidentBatch:
    fingerprint = Fingerprint(chunks)
    read = 0
    try:
        async for row in rows_of(run.batch.format, aiter(fingerprint)):
            read += 1
            await run.add(row)
        if read == 0:
            raise InvalidFile(NO_ROWS)
        return await run.finish(sha256=fingerprint.hexdigest(), size=fingerprint.size)
    except BaseException as exc:
        await _record_failure(run, exc)
        raise


async def _record_failure(run: BatchImport, exc: BaseException) -> None:
    try:
        await run.fail(f"{type(exc).__name__}: {exc}")
    except Exception as inner:  # the original failure matters more than this one
        log.error("intake.batch.fail_not_recorded", batch_id=run.batch_id, error=str(inner))


async def import_upload(*, actor: User, upload: Upload, settings: IntakeSettings) -> IncidentBatch:
    """A bulk file uploaded by operator staff."""
    return await import_rows(
        actor=actor,
        source=IncidentSource.BULK_FILE,
        fmt=upload.fmt,
        filename=upload.filename,
        chunks=upload.chunks,
        settings=settings,
    )


async def read_file(path: Path) -> AsyncIterator[bytes]:
    """A file's bytes, a chunk at a time, read off the event loop."""
    handle = await asyncio.to_thread(path.open, "rb")
    try:
        while chunk := await asyncio.to_thread(handle.read, FILE_CHUNK_BYTES):
            yield chunk
    finally:
        handle.close()


@dataclass
class StagedImport:
    """An uploaded file kept on disk, its rows counted; its batch is stored as running."""

    run: BatchImport
    path: Path

    @property
    def batch(self) -> IncidentBatch:
        return self.run.batch


async def _discard(path: Path) -> None:
    await asyncio.to_thread(path.unlink, missing_ok=True)


async def _spool(chunks: AsyncIterator[bytes], fmt: str) -> Path:
    """The bytes in a temporary file of their own, written off the event loop."""
    fd, name = await asyncio.to_thread(tempfile.mkstemp, prefix="debtx-intake-", suffix=f".{fmt}")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as handle:
            async for chunk in chunks:
                await asyncio.to_thread(handle.write, chunk)
    except BaseException:
        await _discard(path)
        raise
    return path


async def stage_upload(*, actor: User, upload: Upload, settings: IntakeSettings) -> StagedImport:
    """Keep an upload on disk and count its rows, so its import can show progress; a file
    that cannot be read is refused here (InvalidFile) and nothing is stored."""
    _require_operator(actor)
    path = await _spool(upload.chunks, upload.fmt)
    try:
        expected = await count_rows(upload.fmt, read_file(path))
        if expected == 0:
            raise InvalidFile(NO_ROWS)
        run = BatchImport(
            actor=actor,
            source=IncidentSource.BULK_FILE,
            filename=upload.filename,
            fmt=upload.fmt,
            settings=settings,
            expected_rows=expected,
        )
        await run.open()
    except BaseException:
        await _discard(path)
        raise
    log.info("intake.batch.staged", batch_id=run.batch_id, rows=expected)
    return StagedImport(run, path)


async def run_staged(staged: StagedImport) -> IncidentBatch:
    """Import a staged file into its batch, then delete the file; a failure is recorded
    on the batch (status failed, with the error) rather than raised."""
    try:
        return await _run_import(staged.run, read_file(staged.path))
    except Exception as exc:
        log.error("intake.batch.staged_failed", batch_id=staged.run.batch_id, error=str(exc))
        return staged.batch
    finally:
        await _discard(staged.path)


async def import_file(
    *, path: Path, source: IncidentSource, settings: IntakeSettings, actor: Actor | None = None
) -> IncidentBatch:
    """Import a file from disk (the data lake's exports), format from its extension."""
    return await import_rows(
        actor=actor,
        source=source,
        fmt=format_of(filename=path.name, media_type=None),
        filename=path.name,
        chunks=read_file(path),
        settings=settings,
    )


async def import_drop_folder(*, settings: IntakeSettings) -> list[IncidentBatch]:
    """Import every new file in the data lake's drop folder, then move it to processed/."""
    folder = settings.datalake_dir
    if folder is None or not folder.is_dir():
        return []
    batches = []
    for path in sorted(p for p in folder.iterdir() if importable(p)):
        try:
            batch = await import_file(path=path, source=IncidentSource.DATA_LAKE, settings=settings)
        except InvalidFile as exc:
            log.warning("intake.datalake.rejected", file=path.name, reason=exc.detail)
            move_aside(path, folder / "rejected")
            continue
        move_aside(path, folder / "processed")
        log.info("intake.datalake.imported", file=path.name, batch_id=str(batch.id))
        batches.append(batch)
    return batches


def importable(path: Path) -> bool:
    """A CSV or JSON Lines file to import (not hidden)."""
    return path.is_file() and not path.name.startswith(".") and path.suffix.lower() in EXTENSIONS


def move_aside(path: Path, folder: Path) -> Path:
    """Move a file into `folder`, never over an earlier file of the same name."""
    folder.mkdir(exist_ok=True)
    target, n = folder / path.name, 1
    while target.exists():
        target, n = folder / f"{path.stem}.{n}{path.suffix}", n + 1
    return Path(shutil.move(path, target))


def _require_operator(actor: User) -> None:
    if not actor.is_operator:
        raise Forbidden("Only operator staff import incidents")


async def get_batch(*, actor: User, batch_id: str) -> BatchRead:
    """One batch report (operator staff); not found for anyone else."""
    batch = await repository.get_batch(batch_id) if actor.is_operator else None
    if batch is None:
        raise BatchNotFound(f"No batch {batch_id}")
    return batch_read(batch)


async def list_batches(*, actor: User, cursor: str | None, limit: int) -> Page[BatchSummary]:
    """Batches, newest first (operator staff)."""
    _require_operator(actor)
    rows = await repository.list_batches(after=object_id_cursor(cursor), limit=limit + 1)
    items = [BatchSummary.model_validate({**b.model_dump(), "id": str(b.id)}) for b in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)


async def rename_customer(customer_id: str, name: str, *, session: AsyncClientSession) -> int:
    """Retention minimised the customer: their incidents carry the placeholder name too."""
    return await repository.rename_customer(customer_id, name, session=session)
