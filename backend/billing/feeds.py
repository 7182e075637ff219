"""BSS's billing feed files (CSV or JSON Lines) and pushes, taken in record by record.

A file holds one kind of record (`customer`, `account`, `invoice`, `plan`, `cycle`,
`group`, `payment_method`), named for the whole file, or per JSON line in its `kind` key.
A CSV file names its columns in its header line: the kind's fields (see
`backend/billing/schemas.py`), in any order; an unknown column refuses the file. Blank
cells, empty strings and nulls mean "not given". Every row is checked on its own: a bad
row is refused with its reason, the good ones are kept; the report holds each row's
outcome (created, updated, unchanged, stale or refused), up to
DEBTX_BILLING__MAX_OUTCOMES of them, and the counts of all."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from backend.billing import intake, repository
from backend.billing.errors import InvalidFeed
from backend.billing.models import FeedBatch, FeedOrigin, RowOutcome
from backend.billing.schemas import RECORDS, BssRecord
from backend.core import clock, textfiles
from backend.core.logging import get_logger
from backend.core.settings import BillingSettings
from backend.intake import service as incidents
from backend.intake.uploads import Upload, format_of
from backend.users.models import User

log = get_logger(__name__)
CHUNK_ROWS = 500
_ALL_COLUMNS = {"kind"} | {name for m in RECORDS.values() for name in m.model_fields}
EMPTY_CSV = "The file is empty; a CSV feed starts with its header line"


def _columns(kind: str | None) -> set[str]:
    if kind is None:
        return _ALL_COLUMNS
    return {"kind"} | set(RECORDS[kind].model_fields)


def _header(fields: list[str] | None, kind: str | None) -> list[str]:
    if fields is None:
        raise InvalidFeed("The CSV header line cannot be read")
    names = [name.strip().lower() for name in fields]
    unknown = sorted(set(names) - _columns(kind))
    repeated = sorted({name for name in names if names.count(name) > 1})
    if kind is None and "kind" not in names:
        raise InvalidFeed("Name the feed's kind, or give each row a kind column")
    if unknown or repeated:
        raise InvalidFeed(
            "The CSV header does not match the feed's kind",
            unknown_columns=unknown,
            repeated_columns=repeated,
            columns=sorted(_columns(kind)),
        )
    return names


Row = tuple[int, dict[str, Any] | str]  # line and fields, or line and why it is unreadable


async def _csv_rows(chunks: AsyncIterator[bytes], kind: str | None) -> AsyncIterator[Row]:
    header: list[str] | None = None
    async for line, fields, reason in textfiles.csv_records(chunks):
        if header is None:
            header = _header(fields, kind)
        elif fields is None:
            yield line, reason or "unreadable"
        elif len(fields) != len(header):
            yield line, f"expected {len(header)} fields, found {len(fields)}"
        else:
            yield line, {n: v.strip() for n, v in zip(header, fields, strict=True) if v.strip()}
    if header is None:
        raise InvalidFeed(EMPTY_CSV)


async def _jsonl_rows(chunks: AsyncIterator[bytes]) -> AsyncIterator[Row]:
    async for number, text in textfiles.jsonl_lines(chunks):
        if text is None:
            yield number, "line is too long or not UTF-8 text"
        else:
            yield number, textfiles.json_object(text)


def _rows(fmt: str, chunks: AsyncIterator[bytes], kind: str | None) -> AsyncIterator[Row]:
    return _csv_rows(chunks, kind) if fmt == "csv" else _jsonl_rows(chunks)


class Report:
    """A feed's counts and row outcomes as they come in (the outcomes capped)."""

    def __init__(self, batch: FeedBatch, cap: int) -> None:
        self.batch, self.cap = batch, cap

    def add(self, outcome: RowOutcome) -> None:
        batch = self.batch
        batch.rows += 1
        batch.counts[outcome.outcome] = batch.counts.get(outcome.outcome, 0) + 1
        if len(batch.outcomes) < self.cap:
            batch.outcomes.append(outcome)
        else:
            batch.outcomes_omitted += 1


def _key(row: Row, kind: str | None) -> tuple[object, object] | None:
    fields = row[1]
    if isinstance(fields, str):
        return None
    return fields.get("kind", kind), fields.get("id")


def _waves(chunk: list[Row], kind: str | None) -> list[list[int]]:
    """The chunk's rows in waves, each record at most once a wave, in file order (so the
    report says which of a record's rows was stale)."""
    waves: list[list[int]] = []
    last: dict[tuple[object, object], int] = {}
    for n, row in enumerate(chunk):
        key = _key(row, kind)
        wave = last[key] + 1 if key is not None and key in last else 0
        if key is not None:
            last[key] = wave
        if wave == len(waves):
            waves.append([])
        waves[wave].append(n)
    return waves


async def _take_wave(rows: list[Row], kind: str | None) -> list[RowOutcome]:
    """Rows checked one by one, the good ones written together; outcomes in order."""
    checked: list[BssRecord | RowOutcome] = [
        intake.unreadable(line, fields)
        if isinstance(fields, str)
        else intake.check(line, fields, kind)
        for line, fields in rows
    ]
    good = [(rows[n][0], r) for n, r in enumerate(checked) if not isinstance(r, RowOutcome)]
    written = iter(await intake.take_many(good))
    return [r if isinstance(r, RowOutcome) else next(written) for r in checked]


async def _take_chunk(chunk: list[Row], kind: str | None) -> list[RowOutcome]:
    """A chunk's rows written a wave at a time; outcomes in file order."""
    outcomes: dict[int, RowOutcome] = {}
    for wave in _waves(chunk, kind):
        done = await _take_wave([chunk[n] for n in wave], kind)
        outcomes.update(zip(wave, done, strict=True))
    return [outcomes[n] for n in range(len(chunk))]


async def take_rows(rows: AsyncIterator[Row], kind: str | None, report: Report) -> None:
    """Each row checked and written, a chunk of rows at a time (the conditional writes
    keep the newest version whatever the order, also against other feeds and pushes)."""
    chunk: list[Row] = []
    async for row in rows:
        chunk.append(row)
        if len(chunk) == CHUNK_ROWS:
            for outcome in await _take_chunk(chunk, kind):
                report.add(outcome)
            chunk = []
    for outcome in await _take_chunk(chunk, kind):
        report.add(outcome)


def _kind(kind: str | None) -> str | None:
    if kind is not None and kind not in RECORDS:
        raise InvalidFeed(f"kind must be one of {', '.join(RECORDS)}", kind=kind)
    return kind


async def import_upload(
    *, actor: User | None, upload: Upload, kind: str | None, settings: BillingSettings
) -> FeedBatch:
    """A feed file (uploaded, or read from disk): every row taken or refused; its report."""
    kind = _kind(kind)
    batch = FeedBatch(
        origin=FeedOrigin.FILE,
        kind=kind,
        filename=upload.filename,
        format=upload.fmt,
        created_by=actor.id if actor else None,
    )
    await take_rows(
        _rows(upload.fmt, upload.chunks, kind), kind, Report(batch, settings.max_outcomes)
    )
    batch.finished_at = clock.now()
    await repository.save_feed(batch)
    log.info("billing.feed.imported", feed_id=str(batch.id), rows=batch.rows, kind=kind)
    return batch


async def import_file(
    *, path: Path, kind: str | None, settings: BillingSettings, actor: User | None = None
) -> FeedBatch:
    """A feed file on disk, its format from its extension."""
    upload = Upload(
        format_of(filename=path.name, media_type=None), path.name, incidents.read_file(path)
    )
    return await import_upload(actor=actor, upload=upload, kind=kind, settings=settings)


def kind_of(path: Path) -> str | None:
    """The kind a drop-folder file's name starts with (`invoices-2026-01-05.csv` holds
    invoices); None for a name that names none (JSON lines then carry their own)."""
    first = path.name.split(".")[0].split("-")[0].split("_")[0].lower()
    if first == "payment":
        return "payment_method"
    return next((k for k in RECORDS if first in (k, f"{k}s")), None)


async def import_drop_folder(*, settings: BillingSettings) -> list[FeedBatch]:
    """Every feed file in DEBTX_BILLING__FEED_DIR, oldest name first, each moved to
    `processed/` once taken in, or to `rejected/` when it cannot be read at all."""
    folder = settings.feed_dir
    if folder is None or not folder.is_dir():
        return []
    batches = []
    for path in sorted(p for p in folder.iterdir() if incidents.importable(p)):
        try:
            batch = await import_file(path=path, kind=kind_of(path), settings=settings)
        except InvalidFeed as exc:
            log.warning("billing.feed.rejected", file=path.name, reason=exc.detail)
            incidents.move_aside(path, folder / "rejected")
            continue
        incidents.move_aside(path, folder / "processed")
        batches.append(batch)
    return batches
