from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from beanie import Document
from pydantic import BaseModel, Field
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

    class Settings:
        name = "cases"
        indexes = [
            IndexModel([("ro_id", ASCENDING), ("phase", ASCENDING), ("updated_at", DESCENDING)]),
            IndexModel([("ro_id", ASCENDING), ("next_follow_up", ASCENDING)]),
            IndexModel([("drc_id", ASCENDING), ("phase", ASCENDING), ("updated_at", DESCENDING)]),
            IndexModel([("phase", ASCENDING), ("validity_until", ASCENDING)]),
            IndexModel([("account_id", ASCENDING)]),
            IndexModel([("incident_id", ASCENDING)], unique=True),
            IndexModel([("customer_id", ASCENDING)]),
            # the RCMP's queue: equipment awaiting approval, most recently changed first
            IndexModel([("cpe_status", ASCENDING), ("updated_at", DESCENDING)]),
        ]

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


MODELS = (Case, OpenCaseKey, OfficerCaseCounts)
