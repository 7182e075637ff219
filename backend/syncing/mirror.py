"""What the change log means in Firestore (mobile_contract/firestore/README.md), and the
check that Firestore still says what MongoDB says.

`plan` turns a page of changes into document writes for `sync.mirror.Mirror`:
- a case: its document in the holding officer's tree (`ro/{uid}/cases/{id}`), deleted
  from an officer it left; the officers' and DRCs' summaries it touches;
- a mutation's outcome: `ro/{uid}/outcomes/{clientId}:{mutationId}`;
- a user: `staff/{uid}` (role, DRC, active), which the security rules read.
Documents are built from the records as they are now, so a page mirrored late still
writes the newest state; each carries its own `version` (cases and summaries in
backend/cases/projections.py, with the sections each domain's projections.py builds;
outcomes in backend/syncing/outcomes.py).
A case change that names the sections it touched (backend/cases/sections.py) rebuilds
and writes only those, with the case's own fields; a hand-over, or a change that does
not say, rebuilds the whole document, as does a partial write whose document is missing
(`complete`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from google.cloud.firestore import AsyncClient

from backend.cases import projections
from backend.cases import service as cases
from backend.cases.sections import EVERY_SECTION, Section
from backend.core import audiences
from backend.core.projection import MirrorModel
from backend.domains import CASE_SECTIONS
from backend.drcs import service as drcs
from backend.syncing.outcomes import OutcomeDocument, outcome_document
from backend.users import service as users
from sync.mirror import Mirror, Tally, Write, Writer
from sync.models import ChangeEntry, MutationRecord

# Repair's deletes win over any stored version: the document should not exist at all.
ANY_VERSION = 2**62
# A summary's build stamp, not its content: two builds of the same counts are equal.
BUILT = frozenset({"version", "updated_at"})

CASE_DOCUMENTS = projections.CaseDocuments(CASE_SECTIONS)
# The documents' models by the stem of their published JSON Schema (backend/contract.py).
FIRESTORE_SCHEMAS: dict[str, type[MirrorModel]] = {
    "case": CASE_DOCUMENTS.model,
    "officer_summary": projections.OfficerSummary,
    "drc_summary": projections.DrcSummary,
    "outcome": OutcomeDocument,
}


def case_path(uid: str, case_id: str) -> str:
    return f"ro/{uid}/cases/{case_id}"


def officer_summary_path(uid: str) -> str:
    return f"ro/{uid}/meta/summary"


def drc_summary_path(drc_id: str) -> str:
    return f"drc/{drc_id}/meta/summary"


@dataclass
class _Page:
    """What one page of changes touches, each thing once with its final state."""

    held: dict[tuple[str, str], bool] = field(default_factory=dict)  # (uid, case) -> holds
    left_at: dict[tuple[str, str], int] = field(default_factory=dict)  # version it left at
    sections: dict[str, frozenset[Section]] = field(default_factory=dict)  # case -> changed
    officers: set[str] = field(default_factory=set)
    drcs: set[str] = field(default_factory=set)
    outcomes: dict[str, str] = field(default_factory=dict)  # record id -> uid
    staff: set[str] = field(default_factory=set)

    def add(self, entry: ChangeEntry) -> None:
        if entry.entity == "case":
            self._case(entry)
        elif entry.entity == "mutation":
            for audience in entry.holders:
                self.outcomes[entry.entity_id] = audiences.parse(audience)[1]
        elif entry.entity == "user":
            self.staff.add(entry.entity_id)

    def _case(self, entry: ChangeEntry) -> None:
        changed = EVERY_SECTION  # a hand-over: the new holder may have nothing yet
        if entry.sections is not None and set(entry.audience) == set(entry.holders):
            changed = frozenset(Section(name) for name in entry.sections)
        self.sections[entry.entity_id] = self.sections.get(entry.entity_id, frozenset()) | changed
        for audience in entry.audience:
            kind, who = audiences.parse(audience)
            if kind == audiences.DRC:
                self.drcs.add(who)
                continue
            self.officers.add(who)
            key = (who, entry.entity_id)
            self.held[key] = audience in entry.holders
            if not self.held[key]:
                self.left_at[key] = entry.version or 0


class Planner:
    """Turns pages of changes into writes; summaries at most once every `summary_every`.

    A busy officer's summary (counts over all their cases) would otherwise be rebuilt on
    every page, a few times a second; changes within `summary_every` of its last build
    are gathered into the next one, written on a later page or, with no more changes,
    when the mirror next polls an empty log. Case documents are never held back. A new
    planner (each mirror task's window, a restarted worker) rebuilds every summary first,
    so nothing a lost planner held back stays stale, and counts that move with the clock
    alone (follow-ups falling due) are refreshed at least once a window.
    """

    def __init__(self, *, summary_every: float = 0.0) -> None:
        self.summary_every = summary_every
        self.officers: set[str] = set()  # summaries waiting to be rebuilt
        self.drcs: set[str] = set()
        self.built: dict[str, float] = {}  # summary path -> monotonic time of its build
        self.fresh = summary_every > 0  # nothing built yet: every summary is suspect

    async def __call__(self, entries: list[ChangeEntry]) -> list[Write]:
        page = _Page()
        for entry in entries:
            page.add(entry)
        if self.fresh:
            self.fresh = False
            page.officers.update(await users.officer_ids())
            page.drcs.update(drc.id for drc in await drcs.list_all())
        writes = await _case_writes(page)
        writes += await self._summaries(page)
        writes += await _outcome_writes(page.outcomes)
        if entries:
            writes += await _staff_writes(page.staff, stamp=entries[-1].id)
        return writes

    async def _summaries(self, page: _Page) -> list[Write]:
        self.officers |= page.officers
        self.drcs |= page.drcs
        officers = self._due(self.officers, officer_summary_path)
        drc_ids = self._due(self.drcs, drc_summary_path)
        self.officers -= set(officers)
        self.drcs -= set(drc_ids)
        summaries = await projections.officer_summaries(officers) if officers else {}
        writes = [_write(officer_summary_path(uid), doc) for uid, doc in summaries.items()]
        for drc in drc_ids:
            writes.append(_write(drc_summary_path(drc), await projections.drc_summary(drc)))
        return writes

    def _due(self, waiting: set[str], path: Callable[[str], str]) -> list[str]:
        now = time.monotonic()
        due = sorted(
            key
            for key in waiting
            if now - self.built.get(path(key), -math.inf) >= self.summary_every
        )
        self.built.update((path(key), now) for key in due)
        return due


def _write(path: str, document: Any) -> Write:
    return Write(path, document.firestore(), document.version)


async def _case_writes(page: _Page) -> list[Write]:
    held = [key for key, holds in page.held.items() if holds]
    writes = await _held_case_writes({case_id: page.sections[case_id] for _, case_id in held}, held)
    writes += [
        Write(case_path(uid, case_id), None, page.left_at[(uid, case_id)])
        for (uid, case_id), holds in page.held.items()
        if not holds
    ]
    return writes


async def _held_case_writes(
    wanted: dict[str, frozenset[Section]], holders: list[tuple[str, str]]
) -> list[Write]:
    """The changed sections of each held case's document, written where it is held; a
    case now held by someone else is left to the change that moved it."""
    built = await CASE_DOCUMENTS.build_sections(wanted)
    writes = []
    for uid, case_id in holders:
        part = built.get(case_id)
        if part is not None and part.ro_id == uid:
            path = case_path(uid, case_id)
            writes.append(Write(path, part.firestore(), part.version, partial=not part.whole))
    return writes


async def complete(writes: list[Write]) -> list[Write]:
    """Whole case documents for partial writes whose documents are not stored."""
    holders = [_holder_and_case(write.path) for write in writes]
    return await _held_case_writes(dict.fromkeys((c for _, c in holders), EVERY_SECTION), holders)


def _holder_and_case(path: str) -> tuple[str, str]:
    _, uid, _, case_id = path.split("/")  # case_path
    return uid, case_id


async def _outcome_writes(outcomes: dict[str, str]) -> list[Write]:
    if not outcomes:
        return []
    records = await MutationRecord.find({"_id": {"$in": list(outcomes)}}).to_list()
    return [_write(f"ro/{outcomes[r.id]}/outcomes/{r.id}", outcome_document(r)) for r in records]


async def _staff_writes(uids: set[str], *, stamp: int) -> list[Write]:
    """What the security rules read about each user; versioned by the log cursor."""
    writes = []
    for uid in sorted(uids):
        user = await users.by_uid(uid)
        data = None
        if user is not None:
            data = {
                "role": user.role.value,
                "drc_id": user.drc_id,
                "active": user.active,
                "version": stamp,
            }
        writes.append(Write(f"staff/{uid}", data, stamp))
    return writes


def mirror(
    firestore: AsyncClient, *, page: int = 500, timeout: float = 10.0, summary_every: float = 0.0
) -> Mirror:
    """The follower; with `summary_every` 0 (tests, commands) every page writes the
    summaries it touches, and a page of no changes writes nothing."""
    return Mirror(
        firestore,
        Planner(summary_every=summary_every),
        complete=complete,
        page=page,
        timeout=timeout,
    )


# ---------------------------------------------------------------- verify and repair


@dataclass
class Drift:
    """How an officer's Firestore tree differs from what MongoDB says it should hold."""

    uid: str
    missing: list[str] = field(default_factory=list)  # case ids
    extra: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    summary_stale: bool = False

    @property
    def clean(self) -> bool:
        return not (self.missing or self.extra or self.stale or self.summary_stale)

    def report(self) -> dict[str, Any]:
        return {
            "uid": self.uid,
            "missing": self.missing,
            "extra": self.extra,
            "stale": self.stale,
            "summary_stale": self.summary_stale,
        }


async def verify(firestore: AsyncClient, uid: str, *, repair: bool = False) -> Drift:
    """Compare one officer's mirrored cases and summary with MongoDB; mend it if asked."""
    expected = await CASE_DOCUMENTS.build(await cases.open_case_ids_of(uid))
    stored = {
        snap.id: snap.to_dict() or {}
        async for snap in firestore.collection(f"ro/{uid}/cases").stream()
    }
    drift = Drift(uid=uid)
    drift.missing = sorted(set(expected) - set(stored))
    drift.extra = sorted(set(stored) - set(expected))
    drift.stale = sorted(
        case_id
        for case_id in set(expected) & set(stored)
        if _comparable(stored[case_id]) != _comparable(expected[case_id].firestore())
    )
    summary = await projections.officer_summary(uid)
    snap = await firestore.document(officer_summary_path(uid)).get()
    drift.summary_stale = not snap.exists or _comparable(
        snap.to_dict() or {}, skip=BUILT
    ) != _comparable(summary.firestore(), skip=BUILT)
    if repair and not drift.clean:
        await _repair(firestore, drift, expected, summary)
    return drift


async def _repair(
    firestore: AsyncClient, drift: Drift, expected: dict[str, Any], summary: Any
) -> Tally:
    uid = drift.uid
    writes = [
        _write(case_path(uid, case_id), expected[case_id])
        for case_id in drift.missing + drift.stale
    ]
    writes += [Write(case_path(uid, case_id), None, ANY_VERSION) for case_id in drift.extra]
    if drift.summary_stale:
        writes.append(_write(officer_summary_path(uid), summary))
    return await Writer(firestore).apply(writes)


async def verify_all(firestore: AsyncClient, *, repair: bool = False) -> list[Drift]:
    """Every officer's tree; returns only the officers with drift."""
    drifts = []
    for uid in await users.officer_ids():
        drift = await verify(firestore, uid, repair=repair)
        if not drift.clean:
            drifts.append(drift)
    return drifts


def _comparable(document: dict[str, Any], *, skip: frozenset[str] | set[str] = frozenset()):
    """A document as plain JSON-like values: Firestore's timestamps and Python's datetimes
    compare equal, key order does not matter."""

    def plain(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat(timespec="milliseconds")
        if isinstance(value, dict):
            return {k: plain(v) for k, v in sorted(value.items())}
        if isinstance(value, list):
            return [plain(v) for v in value]
        return value

    return plain({k: v for k, v in document.items() if k not in skip})
