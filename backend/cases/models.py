from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from beanie import Document
from pydantic import BaseModel, Field, model_validator
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.cases.contacts import ContactDigest
from backend.cases.phases import Phase
from backend.core import clock
from backend.core.models import KeyedDocument
from backend.core.money import Money
from backend.customers.models import CpeItem


class Action(StrEnum):
    """What the operator asks the DRC to recover."""

    ARREARS = "arrears"
    CPE = "cpe"
    ARREARS_AND_CPE = "arrears_and_cpe"

    @property
    def wants_arrears(self) -> bool:
        return self is not Action.CPE

    @property
    def wants_cpe(self) -> bool:
        return self is not Action.ARREARS


class PartStatus(StrEnum):
    """Progress of one part of the work: the arrears, or the equipment."""

    NOT_REQUIRED = "not_required"
    OPEN = "open"
    AWAITING_APPROVAL = "awaiting_approval"  # CPE collected, RCMP has not approved yet
    DONE = "done"


class Outcome(StrEnum):
    RECOVERED = "recovered"
    WRITTEN_OFF = "written_off"
    LEGAL = "legal"
    WITHDRAWN = "withdrawn"


class CaseEvent(BaseModel):
    """One line of the case's history: a phase change or a change of hands."""

    at: datetime = Field(default_factory=clock.now)
    action: str
    actor_uid: str | None = None
    from_phase: Phase | None = None
    to_phase: Phase | None = None
    drc_id: str | None = None
    ro_id: str | None = None
    note: str | None = None


class Allocation(BaseModel):
    """Why the case went to its DRC."""

    rule_id: str | None
    drc_id: str
    reason: str
    at: datetime = Field(default_factory=clock.now)


# Sort field and direction of each list order; ties are broken by _id the same way.
LIST_SORTS: tuple[tuple[str, int], ...] = (
    ("updated_at", DESCENDING),
    ("outstanding.amount", DESCENDING),
    ("validity_until", ASCENDING),
    ("next_follow_up", ASCENDING),
)
# Whose cases a list reads: an officer's, a DRC's, or everyone's (operator staff).
LIST_SCOPES: tuple[str | None, ...] = ("ro_id", "drc_id", None)


def _list_index(scope: str | None, key: str, field: str, direction: int) -> IndexModel:
    """Equality fields first, then the sort, then _id: a list page is one range of it."""
    leading = [(scope, ASCENDING)] if scope else []
    return IndexModel([*leading, (key, ASCENDING), (field, direction), ("_id", direction)])


# Every order of the open (and closed) lists in each scope, and the latest-first order of
# one phase (the officers' app lists a phase at a time); other phase lists read the open
# order and skip the rest, a bounded window at a time (cases/listing.py).
LIST_INDEXES = [
    *(_list_index(scope, "is_open", f, d) for scope in LIST_SCOPES for f, d in LIST_SORTS),
    *(_list_index(scope, "phase", *LIST_SORTS[0]) for scope in LIST_SCOPES),
]


class Case(Document):
    """The recovery work on one incident. Only cases/repository.py writes these."""

    incident_id: str
    customer_id: str
    customer_name: str
    account_id: str
    product_ids: list[str]
    action: Action
    region: str | None = None
    arrears: Money
    outstanding: Money
    overdue_since: datetime | None = None
    cpe_items: list[CpeItem] = []
    phase: Phase = Phase.NEW
    arrears_status: PartStatus = PartStatus.OPEN
    cpe_status: PartStatus = PartStatus.NOT_REQUIRED
    drc_id: str | None = None
    ro_id: str | None = None
    allocation: Allocation | None = None
    validity_until: datetime | None = None
    next_follow_up: datetime | None = None
    # kept by negotiations with each contact; None until the first contact recorded since
    # it was kept (older contacts are then counted from their records)
    contacts: ContactDigest | None = None
    outcome: Outcome | None = None
    history: list[CaseEvent] = []
    version: int = 1
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)
    closed_at: datetime | None = None
    # kept from the phase on every write, so the open list is an equality on an index
    is_open: bool = True
    # kept from the customer's name: a search by the start of a word is a range of an index
    name_words: list[str] = []

    class Settings:
        name = "cases"
        indexes = [
            *LIST_INDEXES,
            IndexModel([("phase", ASCENDING), ("validity_until", ASCENDING)]),
            IndexModel([("account_id", ASCENDING)]),
            IndexModel([("incident_id", ASCENDING)], unique=True),
            IndexModel([("customer_id", ASCENDING)]),
            IndexModel([("name_words", ASCENDING)]),
            # retention's pass over cases closed long ago
            IndexModel([("is_open", ASCENDING), ("closed_at", ASCENDING)]),
            # the RCMP's queue: equipment awaiting approval, most recently changed first
            IndexModel(
                [("cpe_status", ASCENDING), ("updated_at", DESCENDING), ("_id", DESCENDING)]
            ),
        ]

    @model_validator(mode="after")
    def _keep_derived(self) -> Case:
        self.is_open = self.phase is not Phase.CLOSED
        self.name_words = name_words(self.customer_name)
        return self

    def age_days(self, now: datetime | None = None) -> int:
        """Days the arrears have been overdue."""
        if self.overdue_since is None:
            return 0
        return max(((now or clock.now()) - self.overdue_since).days, 0)


class OpenCaseKey(KeyedDocument):
    """At most one open case per account + product + action: the key is the _id."""

    id: str
    case_id: str

    class Settings:
        name = "open_case_keys"


class OfficerCaseCounts(KeyedDocument):
    """How many cases an officer holds in each phase, kept by the case repository in the
    same transaction as every change, so the app's counts are one read. `id` is the uid."""

    id: str
    phases: dict[str, int] = {}

    class Settings:
        name = "officer_case_counts"


class CaseCountShard(KeyedDocument):
    """Cases per phase held by one officer of one DRC, or (in one of a few shards, by
    case id) by a DRC without an officer, or in the pool: kept with the officers' counts
    in the same transaction; a DRC's counts are the sum of its shards, so no one document
    takes every write of a DRC. `id`: `<drc or ->|<officer uid or ~shard>`."""

    id: str
    drc_id: str | None = None
    ro_id: str | None = None
    phases: dict[str, int] = {}

    class Settings:
        name = "case_count_shards"
        indexes = [IndexModel([("drc_id", ASCENDING)]), IndexModel([("ro_id", ASCENDING)])]


def name_words(name: str) -> list[str]:
    """The words of a name as a search compares them: case folded, each once."""
    return sorted({word.casefold() for word in name.split()})


def open_key(account_id: str, product_id: str, action: Action) -> str:
    return f"{account_id}|{product_id}|{action.value}"


def summary(case: Case) -> dict[str, Any]:
    """What the audit trail records about a case."""
    return {
        "phase": case.phase.value,
        "drc_id": case.drc_id,
        "ro_id": case.ro_id,
        "arrears_status": case.arrears_status.value,
        "cpe_status": case.cpe_status.value,
        "outstanding": case.outstanding.amount,
        "version": case.version,
    }


MODELS = (Case, OpenCaseKey, OfficerCaseCounts, CaseCountShard)
