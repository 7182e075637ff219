"""Bulk intake: rows stream in, incidents are written a chunk per transaction.

Memory stays flat whatever the file's size: only two chunks' rows (one being written,
the next being read), the report's capped problem lists and a hash are held. Each chunk
is screened with a few `$in` queries (references already registered, accounts already
seen in this file, open-case keys already held) and written in one transaction with the
batch's progress, so a failure part-way leaves every committed chunk counted and a
re-upload completes the rest. When the chunk's transaction fails on something one
incident caused (a key claimed concurrently after the check, a customer changed, an
account that belongs to another customer), the chunk is written again one incident per
transaction, and only the incidents at fault are refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
from dataclasses import dataclass, field

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from backend.audit.service import Actor
from backend.cases import service as cases
from backend.cases.models import open_key
from backend.core import clock, db
from backend.core.errors import DomainError
from backend.core.logging import get_logger
from backend.core.settings import IntakeSettings
from backend.customers import service as customers
from backend.customers.errors import CustomerChanged
from backend.intake import repository
from backend.intake.drafts import Prepared, check, draft_from_rows, prepare
from backend.intake.models import BatchStatus, IncidentBatch, IncidentSource, RowProblem
from backend.intake.rows import ParsedRow
from backend.worker.dispatch import enqueue

log = get_logger("debtx.intake")

MAX_INCIDENT_ROWS = 1000
COMMIT_ATTEMPTS = 3
COUNTS = (
    "rows",
    "accepted",
    "duplicates",
    "rejected",
    "incidents_created",
    "problems_omitted",
    "duplicate_rows_omitted",
)


@dataclass
class Outcome:
    """What one chunk (or one incident) did; counted only once its transaction commits."""

    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    incidents_created: int = 0
    problems: list[RowProblem] = field(default_factory=list)
    duplicate_rows: list[RowProblem] = field(default_factory=list)
    problems_omitted: int = 0
    duplicate_rows_omitted: int = 0
    case_ids: list[str] = field(default_factory=list)

    def reject(self, lines: list[int], problems: list[RowProblem]) -> None:
        """Refuse a whole incident: its rows with problems say why, the others point there."""
        named = {p.row for p in problems}
        self.problems += problems
        self.problems += [
            RowProblem(row=line, reason=f"not taken: the incident at row {lines[0]} is refused")
            for line in lines
            if line not in named
        ]
        self.rows += len(lines)
        self.rejected += len(lines)

    def duplicate(self, lines: list[int], reason: str) -> None:
        self.duplicate_rows += [RowProblem(row=line, reason=reason) for line in lines]
        self.rows += len(lines)
        self.duplicates += len(lines)

    def accept(self, prepared: Prepared, lines: list[int]) -> None:
        self.rows += len(lines)
        self.accepted += len(lines)
        self.incidents_created += 1
        self.case_ids.append(str(prepared.case.id))

    def cap(self, *, problems: int, duplicate_rows: int) -> None:
        """Keep only as many listed rows as the report has room for; count the rest."""
        self.problems_omitted += max(len(self.problems) - problems, 0)
        self.duplicate_rows_omitted += max(len(self.duplicate_rows) - duplicate_rows, 0)
        self.problems = self.problems[:problems]
        self.duplicate_rows = self.duplicate_rows[:duplicate_rows]

    def counts(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in COUNTS}


@dataclass
class Unit:
    """A run of rows with the same account and action: one incident, taken or refused whole."""

    rows: list[ParsedRow]
    overflow: int = 0  # rows beyond MAX_INCIDENT_ROWS, counted but not kept
    prepared: Prepared | None = None

    @property
    def lines(self) -> list[int]:
        return [r.line for r in self.rows]


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, DuplicateKeyError | CustomerChanged):
        return True
    if isinstance(exc, BulkWriteError):
        return any(e.get("code") == 11000 for e in exc.details.get("writeErrors", []))
    return isinstance(exc, PyMongoError) and exc.has_error_label("TransientTransactionError")


class BatchImport:
    """One file being imported: feed it rows with `add`, then call `finish`."""

    def __init__(
        self,
        *,
        actor: Actor | None,
        source: IncidentSource,
        filename: str | None,
        fmt: str,
        settings: IntakeSettings,
        expected_rows: int | None = None,
    ) -> None:
        self.actor = actor
        self.settings = settings
        self.oid = ObjectId()
        self.batch = IncidentBatch(
            id=self.oid,
            source=source,
            filename=filename,
            format=fmt,
            expected_rows=expected_rows,
            created_by=actor.id if actor else None,
        )
        self.stored = False
        self.writing: asyncio.Task[None] | None = None  # the previous chunk's write
        self.run: Unit | None = None
        self.pending: list[Unit] = []
        self.pending_rows = 0

    @property
    def batch_id(self) -> str:
        return str(self.oid)

    async def open(self) -> None:
        """Store the batch as running before any row is written, so its progress can be read."""
        async with db.transaction() as session:
            await repository.insert_batch(self.batch, session=session)
        self.stored = True

    async def add(self, row: ParsedRow) -> None:
        """Take the next row of the file."""
        if row.key is None:
            await self._queue(Unit([row]))
        elif self.run is not None and self.run.rows[0].key == row.key:
            if len(self.run.rows) < MAX_INCIDENT_ROWS:
                self.run.rows.append(row)
            else:
                self.run.overflow += 1
        else:
            await self._close_run()
            self.run = Unit([row])

    async def finish(self, *, sha256: str, size: int) -> IncidentBatch:
        """Write what is left and mark the batch done."""
        await self._close_run()
        await self._flush()
        await self._written()
        fields = {
            "status": BatchStatus.DONE,
            "finished_at": clock.now(),
            "sha256": sha256,
            "size_bytes": size,
            "same_as": await repository.same_content(sha256, other_than=self.oid),
        }
        await self._store_final(fields)
        log.info("intake.batch.done", batch_id=self.batch_id, rows=self.batch.rows)
        return self.batch

    async def fail(self, reason: str) -> None:
        """Record that the import stopped part-way; committed chunks stay, and count."""
        with contextlib.suppress(Exception):
            await self._written()
        if not self.stored:
            return  # nothing was written, so there is nothing to account for
        log.warning("intake.batch.failed", batch_id=self.batch_id, reason=reason[:500])
        fields = {"status": BatchStatus.FAILED, "finished_at": clock.now()}
        await self._store_final({**fields, "error": reason[:500]})

    async def _store_final(self, fields: dict) -> None:
        for name, value in fields.items():
            setattr(self.batch, name, value)
        if self.stored:
            await repository.finish_batch(self.oid, fields)
            return
        async with db.transaction() as session:
            await repository.insert_batch(self.batch, session=session)
        self.stored = True

    async def _close_run(self) -> None:
        if self.run is not None:
            unit, self.run = self.run, None
            await self._queue(unit)

    async def _queue(self, unit: Unit) -> None:
        self.pending.append(unit)
        self.pending_rows += len(unit.rows) + unit.overflow
        if self.pending_rows >= self.settings.chunk_rows:
            await self._flush()

    async def _flush(self) -> None:
        units, self.pending, self.pending_rows = self.pending, [], 0
        if not units:
            return
        base = Outcome()
        ready = [u for u in units if self._validate(u, base)]
        self._screen_locally(ready, base)
        ready = [u for u in ready if u.prepared is not None]
        # Chunks commit in order, but the next one is read and checked while this one writes.
        await self._written()
        self.writing = asyncio.create_task(self._write(ready, base))

    async def _written(self) -> None:
        """Wait for the previous chunk's write; its failure surfaces here."""
        if self.writing is not None:
            task, self.writing = self.writing, None
            await task

    async def _write(self, ready: list[Unit], base: Outcome) -> None:
        try:
            await self._commit(ready, base)
        except (PyMongoError, DomainError) as exc:
            if isinstance(exc, PyMongoError) and not _retryable(exc):
                raise
            log.info("intake.chunk.retry_one_by_one", batch_id=self.batch_id, error=str(exc))
            await self._commit([], base)
            for unit in ready:
                await self._commit_alone(unit)

    def _validate(self, unit: Unit, outcome: Outcome) -> bool:
        """Field and business rules; a refused incident is recorded in `outcome`."""
        row_problems = [p for r in unit.rows for p in r.problems]
        if unit.overflow:
            first = unit.rows[0].line
            reason = f"an incident has at most {MAX_INCIDENT_ROWS} rows"
            outcome.reject(unit.lines, [RowProblem(row=first, reason=reason)])
            outcome.rows += unit.overflow
            outcome.rejected += unit.overflow
            return False
        if row_problems:
            outcome.reject(unit.lines, row_problems)
            return False
        draft, problems = draft_from_rows(unit.rows)
        if draft is not None:
            found = check(draft, currencies=self.settings.currencies)
            problems = [RowProblem(row=draft.first_row or 0, field=f, reason=r) for f, r in found]
        if draft is None or problems:
            outcome.reject(unit.lines, problems)
            return False
        unit.prepared = prepare(
            draft,
            source=self.batch.source,
            actor_id=self.batch.created_by,
            batch_id=self.batch_id,
        )
        return True

    def _screen_locally(self, units: list[Unit], outcome: Outcome) -> None:
        """Within the chunk: an account+action or reference seen again is refused."""
        seen: dict[object, int] = {}
        for unit in units:
            assert unit.prepared is not None
            incident = unit.prepared.incident
            keys = {
                "account and action": (incident.account_id, incident.action),
                "external_ref": incident.external_ref,
            }
            repeated = [(what, seen[key]) for what, key in keys.items() if key in seen]
            if repeated:
                reason = _repeat_reason(*repeated[0])
                outcome.reject(unit.lines, [RowProblem(row=unit.lines[0], reason=reason)])
                unit.prepared = None
                continue
            for key in keys.values():
                seen[key] = unit.lines[0]

    async def _commit_alone(self, unit: Unit) -> None:
        for attempt in range(1, COMMIT_ATTEMPTS + 1):
            try:
                await self._commit([unit], Outcome())
                return
            except (PyMongoError, DomainError) as exc:
                if isinstance(exc, DomainError) and not _retryable(exc):
                    # e.g. the account belongs to another customer
                    field = exc.extra.get("field")
                    problem = RowProblem(row=unit.lines[0], field=field, reason=exc.detail)
                    refused = Outcome()
                    refused.reject(unit.lines, [problem])
                    await self._commit([], refused)
                    return
                if not _retryable(exc) or attempt == COMMIT_ATTEMPTS:
                    raise

    async def _commit(self, units: list[Unit], base: Outcome) -> None:
        """Screen against the database and write the chunk and its progress, atomically."""
        outcome = copy.deepcopy(base)
        async with db.transaction() as session:
            taken = await self._screen(units, outcome, session)
            created = await self._open(taken, outcome, session)
            if created:
                records = [p.record for p in created]
                await customers.upsert_many(
                    records=records, source=self.batch.source.value, session=session
                )
                await repository.insert_incidents([p.incident for p in created], session=session)
            await self._store_progress(outcome, session)
        self._count(outcome)
        await allocate(outcome.case_ids)

    async def _screen(
        self, units: list[Unit], outcome: Outcome, session: AsyncClientSession
    ) -> list[Unit]:
        """Drop incidents already registered, or repeated in this file."""
        if not units:
            return []
        incidents = [u.prepared.incident for u in units if u.prepared]
        found = await repository.known(
            source=self.batch.source,
            refs=[i.external_ref for i in incidents],
            batch_id=self.batch_id,
            account_ids=[i.account_id for i in incidents],
            session=session,
        )
        by_ref = {d["external_ref"]: d for d in found if d["source"] == self.batch.source}
        earlier = {
            (d["account_id"], d["action"]): d for d in found if d["batch_id"] == self.batch_id
        }
        return [u for u in units if self._screen_one(u, by_ref, earlier, outcome)]

    def _screen_one(
        self, unit: Unit, by_ref: dict[str, dict], earlier: dict[tuple, dict], outcome: Outcome
    ) -> bool:
        assert unit.prepared is not None
        incident = unit.prepared.incident
        first = unit.lines[0]
        registered = by_ref.get(incident.external_ref)
        if registered is not None and registered.get("batch_id") != self.batch_id:
            reason = f"incident {incident.external_ref} is already registered"
            outcome.duplicate(unit.lines, f"{reason} (case {registered.get('case_id')})")
            return False
        repeat = registered or earlier.get((incident.account_id, incident.action))
        if repeat is not None:
            what = "external_ref" if registered else "account and action"
            reason = _repeat_reason(what, repeat.get("row"))
            outcome.reject(unit.lines, [RowProblem(row=first, reason=reason)])
            return False
        return True

    async def _open(
        self, units: list[Unit], outcome: Outcome, session: AsyncClientSession
    ) -> list[Prepared]:
        """Open the cases whose keys are free; the others are duplicates or refused."""
        ready = [u.prepared for u in units if u.prepared]
        opened, held = await cases.open_cases(
            actor=self.actor, cases=[(p.case, p.keys) for p in ready], session=session
        )
        opened_now = {id(case) for case in opened}
        created: list[Prepared] = []
        for unit in units:
            prepared = unit.prepared
            assert prepared is not None
            if id(prepared.case) in opened_now:
                prepared.incident.case_id = str(prepared.case.id)
                outcome.accept(prepared, unit.lines)
                created.append(prepared)
            else:
                _held(unit, prepared, held, outcome)
        return created

    async def _store_progress(self, outcome: Outcome, session: AsyncClientSession) -> None:
        if not self.stored:
            await repository.insert_batch(self.batch, session=session)
        limit = self.settings.max_problems
        outcome.cap(
            problems=max(limit - len(self.batch.problems), 0),
            duplicate_rows=max(limit - len(self.batch.duplicate_rows), 0),
        )
        await repository.record_progress(
            self.oid,
            counts=outcome.counts(),
            problems=outcome.problems,
            duplicate_rows=outcome.duplicate_rows,
            session=session,
        )

    def _count(self, outcome: Outcome) -> None:
        """Mirror the committed progress in memory (the batch the route returns)."""
        self.stored = True
        for name, value in outcome.counts().items():
            setattr(self.batch, name, getattr(self.batch, name) + value)
        self.batch.problems += outcome.problems
        self.batch.duplicate_rows += outcome.duplicate_rows


def _held(unit: Unit, prepared: Prepared, held: dict[str, str], outcome: Outcome) -> None:
    """Every key held: the incident is a duplicate. Some held: refused, products open together."""
    holders = {key: held[key] for key in prepared.keys if key in held}
    if len(holders) == len(prepared.keys):
        cases_open = ", ".join(sorted(set(holders.values())))
        outcome.duplicate(unit.lines, f"account, products and action already in case {cases_open}")
        return
    problems = []
    for row in unit.rows:
        assert row.values is not None
        key = open_key(row.values.account_id, row.values.product_id, row.values.action)
        if key in holders:
            reason = f"already in open case {holders[key]}; an incident's products open together"
            problems.append(RowProblem(row=row.line, field="product_id", reason=reason))
    outcome.reject(unit.lines, problems)


def _repeat_reason(what: str, first_row: object) -> str:
    return (
        f"{what} already used by the incident at row {first_row} of this file; "
        "rows of one incident must be adjacent"
    )


async def allocate(case_ids: list[str]) -> None:
    """Hand new cases to allocation once committed; they wait in the pool if this fails."""
    if not case_ids:
        return
    try:
        await enqueue("allocation.allocate_new", case_ids=case_ids)
    except Exception as exc:  # the cases are committed; allocation's sweep will find them
        log.error("intake.allocation_enqueue_failed", cases=len(case_ids), error=str(exc))
