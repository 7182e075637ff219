"""What the mirror writes to Firestore for the app (mobile_contract/firestore/README.md).

Each model is one Firestore document (backend/core/projection.py); its JSON Schema is
published in mobile_contract/firestore/.

Case and outcome documents are functions of stored records only (no clock), so a
rebuild gives the same document and verify can compare them. The summaries count
against the moment they are built (follow-ups due now, promises due today).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, Field

from backend.cases import service as cases
from backend.cases.models import Action, Case, PartStatus
from backend.cases.phases import OPEN_PHASES, Phase
from backend.cases.sections import Section
from backend.core.money import Money
from backend.core.projection import MirrorModel
from backend.cpe import service as cpe
from backend.cpe.models import CpeCollection, ItemStatus
from backend.customers import service as customers
from backend.customers.models import (
    Account,
    ContactKind,
    Customer,
    Language,
    ProductStatus,
)
from backend.mediation import service as mediation
from backend.mediation.models import HearingOutcome, MediationFile, RecommendationKind
from backend.negotiations import service as negotiations
from backend.negotiations.models import (
    RECENT_CONTACTS,
    ContactChannel,
    ContactDigest,
    ContactResult,
    NegotiationOutcome,
    Promise,
)
from backend.requests import service as requests
from backend.requests.models import OfficerRequest, RequestType
from backend.settlements import service as settlements
from backend.settlements.models import (
    InstalmentStatus,
    Settlement,
    SettlementKind,
    SettlementSource,
    SettlementStatus,
)
from sync.models import MutationRecord
from sync.protocol import Resolution, Status, Winner

# ---- ro/{uid}/cases/{caseId} -------------------------------------------------------------


class ContactPart(MirrorModel):
    id: str
    kind: ContactKind
    value: str
    primary: bool
    verified: bool


class CustomerPart(MirrorModel):
    id: str
    name: str
    language: Language
    time_zone: str
    region: str | None
    address: str | None
    contacts: list[ContactPart]
    version: int = Field(description="Send as `base_version` with customer.update_contact")
    disputed: bool = Field(description="A dispute is open: no collection contact until closed")


class ProductPart(MirrorModel):
    id: str
    type: str
    status: ProductStatus
    arrears: Money


class CpeItemPart(MirrorModel):
    serial: str
    model: str
    type: str
    status: ItemStatus = Field(description="The item's furthest recorded state")
    collected_at: AwareDatetime | None = None
    condition: str | None = None
    approved_at: AwareDatetime | None = None


class NegotiationBrief(MirrorModel):
    id: str
    contacted_at: AwareDatetime
    channel: ContactChannel
    result: ContactResult
    outcome: NegotiationOutcome
    officer_id: str
    notes: str | None
    promised: Money | None = None


class NegotiationHistory(MirrorModel):
    count: int
    last_contacted_at: AwareDatetime | None = None
    last_channel: ContactChannel | None = None
    last_result: ContactResult | None = None
    last_outcome: NegotiationOutcome | None = None
    recent: list[NegotiationBrief] = Field(
        default=[], description=f"The latest {RECENT_CONTACTS} records, newest first"
    )


class PromisePart(MirrorModel):
    id: str
    amount: Money
    due_date: date
    paid: Money


class InstalmentPart(MirrorModel):
    number: int
    due_date: date
    amount: Money
    paid: Money
    status: InstalmentStatus


class SettlementPart(MirrorModel):
    id: str
    kind: SettlementKind
    source: SettlementSource
    status: SettlementStatus
    total: Money
    paid: Money
    discount: Money
    missed: int
    instalments: list[InstalmentPart]
    version: int


class MediationPart(MirrorModel):
    next_hearing_at: AwareDatetime | None
    hearings: int
    last_hearing_at: AwareDatetime | None
    last_outcome: HearingOutcome | None
    recommendation: RecommendationKind | None = Field(
        description="Legal action or write-off, awaiting the operator"
    )


class RequestPart(MirrorModel):
    id: str
    type: RequestType
    created_at: AwareDatetime
    requested_until: AwareDatetime | None
    details: str | None


class CaseDocument(MirrorModel):
    """`ro/{uid}/cases/{caseId}`: one case the officer holds, enough to work it offline.

    `version` and `updated_at` are the case's own. Records kept beside the case (customer,
    negotiations, equipment, board file, requests) change the document without
    changing the case's version, so a mirror writes on an equal version too.
    Date-time fields are Firestore timestamps.
    """

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
    customer: CustomerPart | None = Field(description="Null only if the customer record is gone")
    products: list[ProductPart] = Field(description="The case's products on its account")
    cpe_items: list[CpeItemPart]
    negotiations: NegotiationHistory
    promises: list[PromisePart] = Field(description="Open promises, soonest due first")
    settlement: SettlementPart | None = Field(description="The active settlement, if any")
    mediation: MediationPart | None = Field(description="The board file, once escalated")
    requests: list[RequestPart] = Field(description="Pending requests, oldest first")
    version: int
    updated_at: AwareDatetime


def _customer(customer: Customer | None) -> CustomerPart | None:
    if customer is None:
        return None
    return CustomerPart(
        id=customer.id,
        name=customer.name,
        language=customer.language,
        time_zone=customer.time_zone,
        region=customer.region,
        address=customer.address,
        contacts=[
            ContactPart(id=c.id, kind=c.kind, value=c.value, primary=c.primary, verified=c.verified)
            for c in customer.contacts
        ],
        version=customer.version,
        disputed=customer.dispute is not None,
    )


def _products(case: Case, account: Account | None) -> list[ProductPart]:
    if account is None:
        return []
    wanted = set(case.product_ids)
    return [
        ProductPart(id=p.id, type=p.type, status=p.status, arrears=p.arrears)
        for p in account.products
        if p.id in wanted
    ]


def _cpe_items(case: Case, collection: CpeCollection | None) -> list[CpeItemPart]:
    """The case's items, each with its state from the equipment record when one exists."""
    items = []
    for listed in case.cpe_items:
        state = collection.item(listed.serial) if collection else None
        items.append(
            CpeItemPart(
                serial=listed.serial,
                model=listed.model,
                type=listed.type,
                status=state.status if state else ItemStatus.OPEN,
                collected_at=state.collected_at if state else None,
                condition=state.condition if state else None,
                approved_at=state.approved_at if state else None,
            )
        )
    return items


def _history(digest: ContactDigest | None) -> NegotiationHistory:
    if digest is None:
        return NegotiationHistory(count=0)
    last = digest.recent[0] if digest.recent else None
    history = {
        "count": digest.total,
        "last_contacted_at": last.contacted_at if last else None,
        "last_channel": last.channel if last else None,
        "last_result": last.result if last else None,
        "last_outcome": last.outcome if last else None,
        "recent": digest.recent,  # each brief read by its attributes
    }
    return NegotiationHistory.model_validate(history, from_attributes=True)


def _promises(found: list[Promise]) -> list[PromisePart]:
    return [
        PromisePart(id=str(p.id), amount=p.amount, due_date=p.due_date, paid=p.paid) for p in found
    ]


def _settlement(settlement: Settlement | None) -> SettlementPart | None:
    if settlement is None:
        return None
    return SettlementPart(
        id=str(settlement.id),
        kind=settlement.kind,
        source=settlement.source,
        status=settlement.status,
        total=settlement.total,
        paid=settlement.paid,
        discount=settlement.discount,
        missed=settlement.missed,
        instalments=[
            InstalmentPart(
                number=i.number, due_date=i.due_date, amount=i.amount, paid=i.paid, status=i.status
            )
            for i in settlement.instalments
        ],
        version=settlement.version,
    )


def _mediation(file: MediationFile | None) -> MediationPart | None:
    if file is None:
        return None
    last = file.hearings[-1] if file.hearings else None
    return MediationPart(
        next_hearing_at=file.next_hearing_at,
        hearings=len(file.hearings),
        last_hearing_at=last.held_at if last else None,
        last_outcome=last.outcome if last else None,
        recommendation=file.recommendation.kind if file.recommendation else None,
    )


def _requests(found: list[OfficerRequest]) -> list[RequestPart]:
    return [
        RequestPart(
            id=str(r.id),
            type=r.type,
            created_at=r.created_at,
            requested_until=r.requested_until,
            details=r.details,
        )
        for r in found
    ]


@dataclass(frozen=True)
class _Beside:
    """The records kept beside a batch of cases, each by case id (or customer/account id)."""

    customers: dict[str, Customer]
    accounts: dict[str, Account]
    kit: dict[str, CpeCollection]
    history: dict[str, ContactDigest]
    promises: dict[str, list[Promise]]
    settlements: dict[str, Settlement]
    files: dict[str, MediationFile]
    requests: dict[str, list[OfficerRequest]]


EVERY_SECTION = frozenset(Section)
# How each section beside the case's own fields is built from the records loaded for it.
_BUILD: dict[Section, Callable[[Case, _Beside], Any]] = {
    Section.CUSTOMER: lambda case, b: _customer(b.customers.get(case.customer_id)),
    Section.PRODUCTS: lambda case, b: _products(case, b.accounts.get(case.account_id)),
    Section.CPE_ITEMS: lambda case, b: _cpe_items(case, b.kit.get(str(case.id))),
    Section.NEGOTIATIONS: lambda case, b: _history(b.history.get(str(case.id))),
    Section.PROMISES: lambda case, b: _promises(b.promises.get(str(case.id), [])),
    Section.SETTLEMENT: lambda case, b: _settlement(b.settlements.get(str(case.id))),
    Section.MEDIATION: lambda case, b: _mediation(b.files.get(str(case.id))),
    Section.REQUESTS: lambda case, b: _requests(b.requests.get(str(case.id), [])),
}


async def _beside(found: list[Case], wanted: dict[str, frozenset[Section]]) -> _Beside:
    """The records the wanted sections need: one query per collection, run together,
    each for the cases that want its section only."""

    def wanting(section: Section) -> list[Case]:
        return [c for c in found if section in wanted[str(c.id)]]

    def ids(section: Section) -> list[str]:
        return [str(c.id) for c in wanting(section)]

    async with asyncio.TaskGroup() as group:
        parties = group.create_task(
            customers.many_unscoped(
                customer_ids=[c.customer_id for c in wanting(Section.CUSTOMER)],
                account_ids=[c.account_id for c in wanting(Section.PRODUCTS)],
            )
        )
        kit = group.create_task(cpe.collections_for(ids(Section.CPE_ITEMS)))
        history = group.create_task(negotiations.digests_for(wanting(Section.NEGOTIATIONS)))
        promises = group.create_task(negotiations.open_promises_for(ids(Section.PROMISES)))
        active = group.create_task(settlements.active_for_cases(ids(Section.SETTLEMENT)))
        files = group.create_task(mediation.files_for(ids(Section.MEDIATION)))
        pending = group.create_task(requests.pending_for(ids(Section.REQUESTS)))
    people, accounts = parties.result()
    return _Beside(
        customers=people,
        accounts=accounts,
        kit=kit.result(),
        history=history.result(),
        promises=promises.result(),
        settlements=active.result(),
        files=files.result(),
        requests=pending.result(),
    )


def _fields(case: Case, beside: _Beside, sections: frozenset[Section]) -> dict[str, Any]:
    """The case document's fields in `sections`; the case's own are always there."""
    fields: dict[str, Any] = {
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
    for section in sections - {Section.CASE}:
        fields[section.value] = _BUILD[section](case, beside)
    return fields


@dataclass(frozen=True)
class CaseSections:
    """Some sections of a case's document (`CaseDocument`), for a partial write."""

    ro_id: str | None
    version: int
    fields: dict[str, Any]

    @property
    def whole(self) -> bool:
        return self.fields.keys() >= CaseDocument.model_fields.keys()

    def firestore(self) -> dict[str, Any]:
        if self.whole:
            return CaseDocument(**self.fields).firestore()
        document = CaseDocument.model_construct(**self.fields)  # built from validated parts
        return document.firestore(include=set(self.fields))


async def case_documents(case_ids: list[str]) -> dict[str, CaseDocument]:
    """Documents for the cases among `case_ids` that exist, by case id.

    One query per collection whatever the number of cases: the cases first, then
    customers, accounts, equipment, negotiations, promises, settlements, board files
    and requests together.
    """
    built = await case_sections(dict.fromkeys(case_ids, EVERY_SECTION))
    return {case_id: CaseDocument(**part.fields) for case_id, part in built.items()}


async def case_sections(
    wanted: dict[str, frozenset[Section]],
) -> dict[str, CaseSections]:
    """The wanted sections of the documents of the cases that exist, by case id: the
    case's own fields and the sections beside it each case asks for, one query per
    collection a section needs."""
    found = await cases.many_by_id(list(wanted))
    if not found:
        return {}
    beside = await _beside(found, wanted)
    return {
        str(case.id): CaseSections(
            case.ro_id, case.version, _fields(case, beside, wanted[str(case.id)])
        )
        for case in found
    }


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
    now = now or datetime.now(UTC)
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
    now = now or datetime.now(UTC)
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


# ---- ro/{uid}/outcomes/{clientId}:{mutationId} -------------------------------------------


class OutcomeStatus(StrEnum):
    """What became of a pushed mutation, as the app shows it.

    Without a review: `applied` (done as asked); `merged` (done, a conflict settled by
    its field's rule, see `resolutions`); `in_review` (done, but a field's clash waits
    for a supervisor: a resolution with winner `pending`); `rejected` (refused for good,
    see `code`); `quarantined` (the sender no longer held the target). Rejected and
    quarantined mutations wait in the supervisor's review inbox (`review_open`).
    After a review: `reapplied` (a supervisor applied it after all) or `dismissed`.
    `pending` is the app's own state before any answer; the mirror writes it for a
    stored `retry` answer only, which the engine does not store today.
    """

    PENDING = "pending"
    APPLIED = "applied"
    MERGED = "merged"
    IN_REVIEW = "in_review"
    REJECTED = "rejected"
    QUARANTINED = "quarantined"
    REAPPLIED = "reapplied"
    DISMISSED = "dismissed"


class OutcomeDocument(MirrorModel):
    """`ro/{uid}/outcomes/{clientId}:{mutationId}`: what became of one pushed mutation.

    `version` is 1 for the engine's answer and 2 once a reviewer decided; `updated_at`
    is when the latest of the two happened. Date-times are Firestore timestamps.
    """

    client_id: str
    mutation_id: int
    name: str
    status: OutcomeStatus
    result_status: Status = Field(description="The engine's answer, as push returned it")
    code: str | None
    message: str | None
    resolutions: list[Resolution]
    entity: str | None
    server_version: int | None
    review_open: bool = Field(description="Waits in a supervisor's review inbox")
    review_note: str | None = None
    reviewed_at: AwareDatetime | None = None
    at: AwareDatetime = Field(description="When the engine answered")
    version: int
    updated_at: AwareDatetime


def _outcome_status(record: MutationRecord) -> OutcomeStatus:
    if record.review is not None:
        return OutcomeStatus(record.review.status)
    status = record.result.status
    if status is Status.RETRY:
        return OutcomeStatus.PENDING
    if status is Status.MERGED and any(
        r.winner is Winner.PENDING for r in record.result.resolutions
    ):
        return OutcomeStatus.IN_REVIEW
    return OutcomeStatus(status.value)


def outcome_document(record: MutationRecord) -> OutcomeDocument:
    """The outcome document of one stored mutation answer (and its review, if any)."""
    status = _outcome_status(record)
    review = record.review
    result = review.result if review is not None and review.result is not None else record.result
    held = status in (OutcomeStatus.IN_REVIEW, OutcomeStatus.REJECTED, OutcomeStatus.QUARANTINED)
    return OutcomeDocument(
        client_id=record.client_id,
        mutation_id=record.mutation_id,
        name=record.name,
        status=status,
        result_status=record.result.status,
        code=record.result.code,
        message=record.result.message,
        resolutions=record.result.resolutions,
        entity=result.entity or record.result.entity,
        server_version=result.server_version,
        review_open=held and record.result.review_id is not None,
        review_note=review.note if review else None,
        reviewed_at=review.at if review else None,
        at=record.at,
        version=2 if review else 1,
        updated_at=review.at if review else record.at,
    )


DOCUMENTS: dict[str, type[MirrorModel]] = {
    "case": CaseDocument,
    "officer_summary": OfficerSummary,
    "drc_summary": DrcSummary,
    "outcome": OutcomeDocument,
}
