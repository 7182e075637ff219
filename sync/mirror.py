"""The mirror: keeps Firestore in step with the change log, for the app to read offline.

One worker at a time (a Redis lock) follows the log from its saved cursor. For each
page of changes the domain's `Plan` says which documents to write or delete, built from
the records as they are now; the mirror writes them in batches of at most 500, then
moves its cursor past the page and saves it at least once a second, so a crash repeats
the pages written since and never skips one.

No write replaces a newer document: every document carries a `version`, the mirror reads
the stored versions of a batch first (one round trip, for the documents it did not write
last itself), leaves out what is older, and commits the rest with each document's update
time (or its absence) as a precondition, so a concurrent writer (a repair, a second
worker after a lost lock) makes the batch fail and be read again rather than be
overwritten. A write is a whole document, or a partial
one (some top-level fields, when a change touched only part of a document); a partial
write whose document is not stored yet is completed into a whole one by the domain.

Failures: Firestore unreachable or overloaded stops the page; the worker backs off and
resumes from its cursor, so it catches up when Firestore returns. A write Firestore keeps
refusing on its own merits goes to the dead-letter list (`mirror_dead_letters`) with an
error log line, and the page goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from google.api_core import exceptions as gexc
from google.cloud.firestore import AsyncClient

from backend.core import clock
from sync import changelog, protobufs
from sync.models import ChangeEntry, DeadLetter, MirrorState

log = structlog.get_logger("debtx.mirror")

BATCH = 500  # Firestore's most writes per commit
REPORT_BUSY = timedelta(seconds=1)  # how often a busy mirror saves its cursor and figures
REPORT_IDLE = timedelta(seconds=10)  # how often an idle one says it is still there
ATTEMPTS = 5
KNOWN = 50_000  # documents a writer remembers the state of, the least recently used go
TRANSIENT = (
    gexc.ServiceUnavailable,
    gexc.DeadlineExceeded,
    gexc.InternalServerError,
    gexc.RetryError,
    gexc.TooManyRequests,
    gexc.ResourceExhausted,
    ConnectionError,
    OSError,
)
RACED = (gexc.FailedPrecondition, gexc.Aborted, gexc.Conflict, gexc.AlreadyExists, gexc.NotFound)


@dataclass(frozen=True)
class Write:
    """One document to set (`data`) or delete (`data` None), at `version`; a `partial`
    write sets only the top-level fields in `data` and keeps the others."""

    path: str
    data: dict[str, Any] | None
    version: int
    partial: bool = False


# The domain's part: what the given changes mean in Firestore documents. It is asked with
# an empty page too, whenever the log has nothing new, and may return writes it held back.
Plan = Callable[[list[ChangeEntry]], Awaitable[list[Write]]]
# Whole documents for partial writes whose documents are not stored (a new holder, a
# document lost); a path left out of the answer should not exist.
Complete = Callable[[list[Write]], Awaitable[list[Write]]]


class Unavailable(Exception):
    """Firestore cannot be reached now; try the same page again later."""


@dataclass
class Tally:
    written: int = 0
    skipped: int = 0  # a newer version is stored
    dead: int = 0

    def add(self, other: Tally) -> None:
        self.written += other.written
        self.skipped += other.skipped
        self.dead += other.dead


class Writer:
    """Guarded batch writes: never an older version over a newer one.

    A writer remembers how it left each document it wrote (its update time and version,
    or its absence) and how it found the ones it read, so a document it wrote last is
    not read again: the precondition still holds it to that state, and a batch that
    fails it (someone else wrote meanwhile) forgets what it knew and reads again.
    """

    def __init__(
        self, firestore: AsyncClient, *, timeout: float = 10.0, complete: Complete | None = None
    ) -> None:
        self.firestore = firestore
        self.complete = complete
        # per Firestore call, without the client's own retries (the mirror retries pages):
        # a hung server counts as unavailable after `timeout`
        self.timeout = timeout
        self.known: dict[str, protobufs.Stored | None] = {}  # by name; None: absent

    async def apply(self, writes: Iterable[Write]) -> Tally:
        """Write each path's last write unless the stored document has a higher version.

        An equal version is written: records kept beside a case change its document
        without changing its version, and repair mends content that drifted."""
        newest: dict[str, Write] = {}
        for write in writes:
            newest[write.path] = write
        pending = list(newest.values())
        tally = Tally()
        for start in range(0, len(pending), BATCH):
            tally.add(await self._chunk(pending[start : start + BATCH]))
        return tally

    async def _chunk(self, writes: list[Write]) -> Tally:
        for attempt in range(ATTEMPTS):
            try:
                return await self._commit(writes)
            except RACED:
                await asyncio.sleep(0.05 * 2**attempt)  # someone wrote meanwhile: read again
            except TRANSIENT as exc:
                raise Unavailable(str(exc)) from exc
            except gexc.GoogleAPICallError:
                return await self._one_by_one(writes)
        raise Unavailable("documents kept changing under the mirror")

    async def _commit(self, writes: list[Write]) -> Tally:
        names = [protobufs.name(self.firestore, w.path) for w in writes]
        try:
            return await self._guarded(names, writes)
        except BaseException:
            for name in names:  # the commit failed or its outcome is unknown
                self.known.pop(name, None)
            raise

    async def _guarded(self, names: list[str], writes: list[Write]) -> Tally:
        stored = await self._stored(names)
        staged: list[Any] = []
        made: list[tuple[str, int | None]] = []  # each staged write's name and version
        absent: list[Write] = []  # partial writes with nothing stored to add to
        tally = Tally()
        for name, write in zip(names, writes, strict=True):
            found = stored.get(name)
            seen = found.update_time if found else None  # None: absent
            if found and found.version is not None and write.version < found.version:
                tally.skipped += 1
                continue
            if write.data is None:
                if seen is not None:
                    staged.append(protobufs.delete(name, update_time=seen))
                    made.append((name, None))
                continue
            if not write.partial:
                staged.append(protobufs.replace(name, write.data, update_time=seen))
            elif seen is not None:
                staged.append(protobufs.update(name, write.data, update_time=seen))
            else:
                absent.append(write)
                continue
            made.append((name, write.version))
        for whole in await self._wholes(absent):
            name = protobufs.name(self.firestore, whole.path)
            staged.append(protobufs.replace(name, whole.data or {}, update_time=None))
            made.append((name, whole.version))
        tally.written = len(staged)
        if staged:
            batch = self.firestore.batch()
            batch._add_write_pbs(staged)  # built on raw protobufs: sync/protobufs.py
            results = await batch.commit(retry=None, timeout=self.timeout)
            self._wrote(made, results)
        return tally

    async def _stored(self, names: list[str]) -> dict[str, protobufs.Stored]:
        """The stored state of `names` that exist: as remembered, or read in one call."""
        unknown = [name for name in names if name not in self.known]
        if unknown:
            found = await protobufs.versions(self.firestore, unknown, seconds=self.timeout)
            for name in unknown:
                self._remember(name, found.get(name))
        return {name: known for name in names if (known := self.known[name]) is not None}

    def _wrote(self, made: list[tuple[str, int | None]], results: list[Any]) -> None:
        """Remember what a commit left: each write's update time and version, or absence
        where it deleted (a delete's version is the one it acted for)."""
        for (name, version), result in zip(made, results, strict=True):
            stored = None
            if version is not None:
                stored = protobufs.Stored(protobufs.update_time(result), version)
            self._remember(name, stored)

    def _remember(self, name: str, stored: protobufs.Stored | None) -> None:
        self.known.pop(name, None)  # most recently used last
        self.known[name] = stored
        if len(self.known) > KNOWN:
            del self.known[next(iter(self.known))]

    async def _wholes(self, partial: list[Write]) -> list[Write]:
        if not partial:
            return []
        if self.complete is None:
            raise TypeError(f"{partial[0].path} is not stored and nothing completes it")
        wanted = {write.path for write in partial}
        return [w for w in await self.complete(partial) if w.path in wanted and w.data]

    async def _one_by_one(self, writes: list[Write]) -> Tally:
        """A batch Firestore refuses as such: find the writes it refuses, dead-letter them."""
        tally = Tally()
        for write in writes:
            error = ""
            for attempt in range(ATTEMPTS):
                try:
                    tally.add(await self._commit([write]))
                    break
                except TRANSIENT as exc:
                    raise Unavailable(str(exc)) from exc
                except gexc.GoogleAPICallError as exc:
                    error = str(exc)
                    await asyncio.sleep(0.02 * 2**attempt)
            else:
                await _dead_letter(write, error)
                tally.dead += 1
        return tally


async def _dead_letter(write: Write, error: str) -> None:
    await DeadLetter(
        path=write.path, data=write.data, version=write.version, error=error, attempts=ATTEMPTS
    ).insert()
    log.error("mirror.dead_letter", path=write.path, version=write.version, error=error)


class Mirror:
    """Follows the change log into Firestore; `step` is one page, `run` a worker's loop."""

    def __init__(
        self,
        firestore: AsyncClient,
        plan: Plan,
        *,
        complete: Complete | None = None,
        page: int = BATCH,
        timeout: float = 10.0,
    ) -> None:
        self.writer = Writer(firestore, timeout=timeout, complete=complete)
        self.plan = plan
        self.page = page

    async def step(self) -> int:
        """Mirror the next page of the log; the number of changes it covered."""
        state = await MirrorState.get("firestore") or MirrorState()
        entries, writes = await self._plan_after(state.cursor)
        await self._write(state, entries, writes, report=True)
        return len(entries)

    async def _plan_after(self, cursor: int) -> tuple[list[ChangeEntry], list[Write]]:
        """The next page and its writes; an empty page still asks the plan, which may have
        writes it held back."""
        entries = await changelog.sequence_next(self.page)
        if not entries or entries[0].id != cursor + 1:  # others sequenced some meanwhile
            entries = await changelog.read(since=cursor, audience=None, limit=self.page)
        return entries, await self.plan(entries)

    async def _write(
        self,
        state: MirrorState,
        entries: list[ChangeEntry],
        writes: list[Write],
        *,
        report: bool = False,
    ) -> None:
        """Write a planned page and move the cursor past it. The cursor and figures are
        saved with `report`, and at least every REPORT_BUSY: a crash repeats the pages
        written since, which the version guard makes harmless."""
        tally = await self.writer.apply(writes)
        now = clock.now()
        if entries:
            state.cursor = entries[-1].id
            state.lag_seconds = (now - entries[-1].at).total_seconds()
        else:
            state.lag_seconds = 0.0  # nothing new in the log
        state.written += tally.written
        state.dead_letters += tally.dead
        state.last_error = None
        if report or tally.dead or now - state.updated_at >= REPORT_BUSY:
            await _save(state)

    async def run(
        self,
        *,
        seconds: float,
        idle: float = 0.1,
        max_backoff: float = 5.0,
        keepalive: Callable[[], Awaitable[bool]] | None = None,
    ) -> int:
        """Follow the log for `seconds` (or until `keepalive` says the lease was lost);
        back off while Firestore is unavailable.

        Behind the log (full pages), the next page is planned (MongoDB reads) while the
        previous one is written (Firestore), one page ahead at most, for throughput.
        Near its head, the next page is planned once the previous one is written, so it
        takes in every change that came meanwhile rather than wait a write for them.
        Pages are written in order; a failed write sends the follower back to the last
        page written.
        """
        deadline = time.monotonic() + seconds
        backoff = idle
        state = await MirrorState.get("firestore") or MirrorState()
        follow = _Follow(cursor=state.cursor)
        while time.monotonic() < deadline:
            if keepalive is not None and not await keepalive():
                break
            try:
                caught_up = await self._follow_once(state, follow)
            except Unavailable as exc:
                await _went_away(state, follow, exc, retry_in=backoff)
                backoff = min(max_backoff, backoff * 2)
                continue
            backoff = idle
            if caught_up:  # otherwise the next page is planned at once
                await asyncio.sleep(idle)
        if follow.writing is not None:
            with contextlib.suppress(Unavailable):
                await follow.writing
        await _save(state)
        return follow.covered

    async def _follow_once(self, state: MirrorState, follow: _Follow) -> bool:
        """Plan the next page, wait for the last one's write, then write this one (in the
        background when the page is full); True when the log had nothing new."""
        entries, writes = await self._plan_after(follow.cursor)
        if follow.writing is not None:
            await follow.writing
        follow.writing = None
        if entries or writes:
            page = self._write(state, entries, writes)
            follow.cursor = entries[-1].id if entries else follow.cursor
            follow.covered += len(entries)
            if len(entries) < self.page:
                await page
            else:
                follow.writing = asyncio.create_task(page)
        elif _reporting_due(state):
            await self._write(state, [], [], report=True)  # caught up: say so
        return not entries


@dataclass
class _Follow:
    """A follower's place: the cursor planned up to and the page being written."""

    cursor: int
    writing: asyncio.Task[None] | None = None
    covered: int = 0  # changes planned and written or being written


async def _went_away(
    state: MirrorState, follow: _Follow, error: Unavailable, *, retry_in: float
) -> None:
    """Firestore is away: go back to the last page written, say so, and wait."""
    follow.writing = None
    follow.cursor = state.cursor  # the rest is planned again
    state.last_error = str(error)[:500]
    await _save(state)
    log.warning("mirror.unavailable", error=str(error), retry_in=retry_in)
    await asyncio.sleep(retry_in)


def _reporting_due(state: MirrorState) -> bool:
    """A caught-up mirror says so once, then every REPORT_IDLE."""
    return bool(state.backlog or state.lag_seconds or clock.now() - state.updated_at > REPORT_IDLE)


async def _save(state: MirrorState) -> None:
    """Save where the mirror is, and how far behind the log's head."""
    _, head = await changelog.bounds()
    state.backlog = max(0, head - state.cursor)
    state.updated_at = clock.now()
    await state.save()
