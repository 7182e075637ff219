"""What the mirror writes to Firestore about cases (mobile_contract/firestore/README.md),
and what a pull returns for a case.

The officer's case document is the case's own fields with the sections beside them, each
built by the domain that keeps its records (`CaseSection`, listed in backend/domains.py).
Case documents are functions of stored records only (no clock), so a rebuild gives the
same document and verify can compare them. The summaries count against the moment they
are built (follow-ups due now, promises due today).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, Field, create_model

from backend.cases import service as cases
from backend.cases.models import Action, Case, PartStatus
from backend.cases.phases import OPEN_PHASES, OPEN_VALUES, Phase
from backend.cases.sections import EVERY_SECTION, CaseSection, Section
from backend.core import clock
from backend.core.ids import object_id
from backend.core.money import Money
from backend.core.projection import MirrorModel
from backend.mediation import service as mediation
from backend.negotiations import service as negotiations
from backend.users.models import User
from sync.registry import EntitySpec

# ---- ro/{uid}/cases/{caseId} -------------------------------------------------------------


class CaseFields(MirrorModel):
    """The case record's own fields in its document, written with every change."""

    id: str
    incident_id: str
    account_id: str
    phase: Phase
    action: Action
    arrears_status: PartStatus
    cpe_status: PartStatus
    outstanding: Money
    arrears: Money
    overdue_since: AwareDatetime | None = Field(
        description="Age in days is counted from here on the phone, so the document stays put"
    )
    validity_until: AwareDatetime | None
    next_follow_up: AwareDatetime | None
    region: str | None
    drc_id: str | None
    ro_id: str | None
    allocation_reason: str | None
    # The sections beside the case come here, before its version.
    version: int
    updated_at: AwareDatetime


def _own_fields(case: Case) -> dict[str, Any]:
    return {
        "id": str(case.id),
        "incident_id": case.incident_id,
        "account_id": case.account_id,
        "phase": case.phase,
        "action": case.action,
        "arrears_status": case.arrears_status,
        "cpe_status": case.cpe_status,
        "outstanding": case.outstanding,
        "arrears": case.arrears,
        "overdue_since": case.overdue_since,
        "validity_until": case.validity_until,
        "next_follow_up": case.next_follow_up,
        "region": case.region,
        "drc_id": case.drc_id,
        "ro_id": case.ro_id,
        "allocation_reason": case.allocation.reason if case.allocation else None,
        "version": case.version,
        "updated_at": case.updated_at,
    }


_CASE_DOCUMENT = """\
`ro/{uid}/cases/{caseId}`: one case the officer holds, enough to work it offline.

`version` and `updated_at` are the case's own. Records kept beside the case (customer,
negotiations, equipment, board file, requests) change the document without
changing the case's version, so a mirror writes on an equal version too.
Date-time fields are Firestore timestamps.
"""


def case_document_model(sections: Sequence[CaseSection[Any]]) -> type[MirrorModel]:
    """`CaseDocument`: the case's own fields, with `sections` in order before its version."""
    own = [(name, (info.annotation, info)) for name, info in CaseFields.model_fields.items()]
    at = [name for name, _ in own].index("version")
    beside = [(s.section.value, (s.part, Field(description=s.description))) for s in sections]
    return create_model(
        "CaseDocument",
        __base__=MirrorModel,
        __doc__=_CASE_DOCUMENT,
        __module__=__name__,
        **dict(own[:at] + beside + own[at:]),
    )


@dataclass(frozen=True)
class CaseSections:
    """Some sections of a case's document (`CaseDocuments.model`), for a partial write."""

    model: type[MirrorModel] = field(repr=False)
    ro_id: str | None
    version: int
    fields: dict[str, Any]

    @property
    def whole(self) -> bool:
        return self.fields.keys() >= self.model.model_fields.keys()

    def firestore(self) -> dict[str, Any]:
        if self.whole:
            return self.model(**self.fields).firestore()
        document = self.model.model_construct(**self.fields)  # built from validated parts
        return document.firestore(include=set(self.fields))


class CaseDocuments:
    """Builds case documents from the case's own fields and the domains' sections."""

    def __init__(self, sections: Sequence[CaseSection[Any]]) -> None:
        if sorted(s.section for s in sections) != sorted(EVERY_SECTION - {Section.CASE}):
            raise ValueError("Each section beside the case's own fields is built once")
        self.beside = {s.section: s for s in sections}
        self.model = case_document_model(sections)

    async def build(self, case_ids: list[str]) -> dict[str, MirrorModel]:
        """Documents for the cases among `case_ids` that exist, by case id.

        One query per collection whatever the number of cases: the cases first, then
        the records of every section together.
        """
        built = await self.build_sections(dict.fromkeys(case_ids, EVERY_SECTION))
        return {case_id: self.model(**part.fields) for case_id, part in built.items()}

    async def build_sections(
        self, wanted: dict[str, frozenset[Section]]
    ) -> dict[str, CaseSections]:
        """The wanted sections of the documents of the cases that exist, by case id: the
        case's own fields and the sections beside it each case asks for, one query per
        collection a section needs."""
        found = await cases.many_by_id(list(wanted))
        if not found:
            return {}
        loaded = await self._load(found, wanted)
        built = {}
        for case in found:
            fields = _own_fields(case)
            for section in wanted[str(case.id)] - {Section.CASE}:
                fields[section.value] = self.beside[section].build(case, loaded[section])
            built[str(case.id)] = CaseSections(self.model, case.ro_id, case.version, fields)
        return built

    async def _load(
        self, found: list[Case], wanted: dict[str, frozenset[Section]]
    ) -> dict[Section, dict[str, Any]]:
        """The records the wanted sections need: one query per section, run together,
        each for the cases that want it only (a section no case wants costs none)."""
        loading: dict[Section, asyncio.Task[dict[str, Any]]] = {}
        async with asyncio.TaskGroup() as group:
            for section, spec in self.beside.items():
                wanting = [c for c in found if section in wanted[str(c.id)]]
                if wanting:
                    loading[section] = group.create_task(spec.load(wanting))
        return {section: task.result() for section, task in loading.items()}


# ---- ro/{uid}/meta/summary and drc/{drcId}/meta/summary ---------------------------------


def _by_phase(counts: dict[str, int]) -> dict[Phase, int]:
    return {phase: counts.get(phase.value, 0) for phase in Phase}


def _open(counts: dict[Phase, int]) -> int:
    return sum(n for phase, n in counts.items() if phase in OPEN_PHASES)


def _stamp(now: datetime) -> int:
    """A summary's version: when it was built, in milliseconds, so later ones win."""
    return int(now.timestamp() * 1000)


class NextHearing(MirrorModel):
    case_id: str
    at: AwareDatetime


class OfficerSummary(MirrorModel):
    """`ro/{uid}/meta/summary`: the officer's counts, as of `updated_at`.

    `version` is the build time in milliseconds (a summary has no source version), so a
    later summary is never overwritten by an earlier one. Date-times are timestamps.
    """

    uid: str
    counts: dict[Phase, int] = Field(description="Cases per phase, closed ones included")
    open: int = Field(description="Cases in every phase but closed")
    follow_ups_due: int = Field(description="Open cases whose next follow-up is due by now")
    promises_due_today: int = Field(description="Open promises on open cases due today (UTC)")
    next_hearing: NextHearing | None = Field(
        description="The earliest board hearing set on the officer's open cases"
    )
    version: int
    updated_at: AwareDatetime


async def officer_summary(uid: str, *, now: datetime | None = None) -> OfficerSummary:
    """One officer's summary document."""
    return (await officer_summaries([uid], now=now))[uid]


async def officer_summaries(
    uids: list[str], *, now: datetime | None = None
) -> dict[str, OfficerSummary]:
    """Many officers' summary documents, without a pass over their cases: the kept phase
    counters, an index range per officer for follow-ups due, and today's promises and the
    set hearings matched to their holders."""
    now = now or clock.now()
    loads, promised, hearings = await asyncio.gather(
        cases.officer_loads(uids, until=now),
        negotiations.open_promises_due_by_case(now.date()),
        mediation.next_hearings(),
    )
    held_by: dict[str, list[str]] = {}
    for case_id, holder in (await cases.open_holders([*promised, *hearings])).items():
        held_by.setdefault(holder, []).append(case_id)
    summaries = {}
    for uid, load in loads.items():
        counts = _by_phase(load.counts)
        held = held_by.get(uid, [])
        soonest = min(((hearings[i], i) for i in held if i in hearings), default=None)
        summaries[uid] = OfficerSummary(
            uid=uid,
            counts=counts,
            open=_open(counts),
            follow_ups_due=load.follow_ups_due,
            promises_due_today=sum(promised.get(i, 0) for i in held),
            next_hearing=NextHearing(case_id=soonest[1], at=soonest[0]) if soonest else None,
            version=_stamp(now),
            updated_at=now,
        )
    return summaries


class PhaseTally(MirrorModel):
    counts: dict[Phase, int]
    open: int


class DrcSummary(MirrorModel):
    """`drc/{drcId}/meta/summary`: the DRC's cases per phase, and per officer.

    Cases not yet given to an officer count in `counts` only. `version` is the build
    time in milliseconds, as for the officer summary.
    """

    drc_id: str
    counts: dict[Phase, int] = Field(description="Cases per phase, closed ones included")
    open: int
    officers: dict[str, PhaseTally] = Field(description="By officer uid")
    version: int
    updated_at: AwareDatetime


async def drc_summary(drc_id: str, *, now: datetime | None = None) -> DrcSummary:
    """The DRC's summary document, from one aggregation."""
    now = now or clock.now()
    rows = await cases.drc_counts(drc_id)
    total: dict[str, int] = {}
    for phases in rows.values():
        for phase, n in phases.items():
            total[phase] = total.get(phase, 0) + n
    counts = _by_phase(total)
    officers = {}
    for uid, phases in sorted(rows.items(), key=lambda row: row[0] or ""):
        if uid is not None:
            tally = _by_phase(phases)
            officers[uid] = PhaseTally(counts=tally, open=_open(tally))
    return DrcSummary(
        drc_id=drc_id,
        counts=counts,
        open=_open(counts),
        officers=officers,
        version=_stamp(now),
        updated_at=now,
    )


# ---- what a pull returns for a case: the case detail route's shape ----------------------


async def load_cases(caller: User, ids: list[str]) -> dict[str, tuple[int | None, dict[str, Any]]]:
    """The cases among `ids` the caller may see now, with their version and detail."""
    found = await cases.within_reach(actor=caller, case_ids=ids)
    return {str(c.id): (c.version, cases.detail_of(c).model_dump(mode="json")) for c in found}


async def snapshot_cases(
    caller: User, after: str | None, limit: int
) -> list[tuple[str, int | None, dict[str, Any]]]:
    """One page of the caller's open cases in id order: the initial sync."""
    filters: dict[str, Any] = {"phase": {"$in": OPEN_VALUES}}
    if after is not None and (key := object_id(after)) is not None:
        filters["_id"] = {"$gt": key}
    page = await cases.list_in_reach(actor=caller, filters=filters, sort=[("_id", 1)], limit=limit)
    return [(str(c.id), c.version, cases.detail_of(c).model_dump(mode="json")) for c in page]


CASE_ENTITY = EntitySpec("case", load=load_cases, snapshot=snapshot_cases)
