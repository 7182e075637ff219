"""The sections of a case's read model (the officer's case document in Firestore).

A change to a case names the sections it touched in the change log, so the mirror
rebuilds only those: a recorded contact rebuilds the negotiation history and promises,
not the customer, equipment, settlement, board file and requests beside them. The case's
own fields (phase, statuses, amounts, holder, version) are rebuilt with every change.

Each section beside the case's own fields is built by the domain that keeps its records,
in that domain's `projections.py`, as a `CaseSection`; backend/domains.py lists them in
the document's order.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from backend.cases.models import Case


class Section(StrEnum):
    CASE = "case"  # the case record's own fields
    CUSTOMER = "customer"
    PRODUCTS = "products"
    CPE_ITEMS = "cpe_items"
    NEGOTIATIONS = "negotiations"
    PROMISES = "promises"
    SETTLEMENT = "settlement"
    MEDIATION = "mediation"
    REQUESTS = "requests"
    STK_PUSHES = "stk_pushes"


EVERY_SECTION = frozenset(Section)

Record = TypeVar("Record")


@dataclass(frozen=True)
class CaseSection(Generic[Record]):
    """How one section of the case document is built, for a batch of cases.

    `load` reads the records a batch of cases needs for the section in one query, keyed
    as `build` looks them up (it is called only for cases that want the section, never
    for none); `build` makes the section's value for one case from what was loaded.
    `part` and `description` make the section's field in `CaseDocument`.
    """

    section: Section
    part: Any  # the field's type, such as `SettlementPart | None`
    load: Callable[[list[Case]], Coroutine[Any, Any, dict[str, Record]]]
    build: Callable[[Case, dict[str, Record]], Any]
    description: str | None = None


def case_ids(found: Iterable[Case]) -> list[str]:
    """The ids of `found`, as the records kept beside cases name them."""
    return [str(case.id) for case in found]
