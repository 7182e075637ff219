"""Read side of cases: lists with filters, sorts and keyset cursors; counts; detail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from backend.cases import repository
from backend.cases.models import Action, PartStatus
from backend.cases.phases import OPEN_VALUES, Phase
from backend.cases.schemas import CaseSort, CaseSummary, PhaseCounts
from backend.cases.service import scope_filter
from backend.core import clock
from backend.core.pagination import InvalidCursor, Page, decode_keyset, encode_keyset
from backend.users.models import Role, User

# sort -> (field, direction); ties broken by _id in the same direction
SORTS: dict[CaseSort, tuple[str, int]] = {
    CaseSort.UPDATED: ("updated_at", -1),
    CaseSort.ARREARS: ("outstanding.amount", -1),
    CaseSort.VALIDITY: ("validity_until", 1),
    CaseSort.FOLLOW_UP: ("next_follow_up", 1),
}
_DATES = {"updated_at", "validity_until", "next_follow_up"}
# Lists read only what a list shows: no history, no CPE detail, no Beanie document.
SUMMARY_FIELDS = tuple(name for name in CaseSummary.model_fields if name != "id")


@dataclass(frozen=True)
class CaseFilters:
    phases: list[Phase] | None = None
    action: Action | None = None
    drc_id: str | None = None
    ro_id: str | None = None
    region: str | None = None
    account_id: str | None = None
    customer_id: str | None = None
    follow_up_due: bool | None = None
    cpe_status: PartStatus | None = None  # e.g. awaiting_approval: the RCMP's queue
    open_only: bool = False

    def query(self, actor: User) -> dict[str, Any]:
        query: dict[str, Any] = {}
        for name in (
            "action",
            "drc_id",
            "ro_id",
            "region",
            "account_id",
            "customer_id",
            "cpe_status",
        ):
            value = getattr(self, name)
            if value is not None:
                query[name] = getattr(value, "value", value)
        if self.phases:
            query["phase"] = {"$in": [p.value for p in self.phases]}
        elif self.open_only:
            # $in, not $ne: a negation cannot use the (scope, phase, ...) indexes
            query["phase"] = {"$in": OPEN_VALUES}
        if self.follow_up_due:
            query["next_follow_up"] = {"$lte": clock.now()}
        # the caller's reach always wins over any filter it sent
        query.update(scope_filter(actor))
        return query


def _after(field: str, direction: int, cursor: list[Any]) -> dict[str, Any]:
    value, last_id = cursor
    try:
        if field in _DATES:
            value = datetime.fromisoformat(value)
        last = ObjectId(last_id)
    except (TypeError, ValueError, InvalidId) as exc:
        raise InvalidCursor("cursor is not one this API issued for this sort") from exc
    op = "$lt" if direction < 0 else "$gt"
    return {"$or": [{field: {op: value}}, {field: value, "_id": {op: last}}]}


def _key(case: CaseSummary, field: str) -> Any:
    value: Any = case
    for part in field.split("."):
        value = getattr(value, part)
    return value.isoformat() if isinstance(value, datetime) else value


async def list_cases(
    *, actor: User, filters: CaseFilters, sort: CaseSort, cursor: str | None, limit: int
) -> Page[CaseSummary]:
    """Cases within the caller's reach, one page at a time."""
    field, direction = SORTS[sort]
    query = filters.query(actor)
    if sort in (CaseSort.VALIDITY, CaseSort.FOLLOW_UP):
        query = {"$and": [query, {field: {"$ne": None}}]}
    position = decode_keyset(cursor, 2)
    if position is not None:
        query = {"$and": [query, _after(field, direction, position)]}
    rows = await repository.find_fields(
        query, fields=SUMMARY_FIELDS, sort=[(field, direction), ("_id", direction)], limit=limit + 1
    )
    items = [CaseSummary.model_validate({**row, "id": str(row["_id"])}) for row in rows[:limit]]
    next_cursor = encode_keyset(_key(items[-1], field), items[-1].id) if len(rows) > limit else None
    return Page(items=items, next_cursor=next_cursor)


async def phase_counts(*, actor: User, filters: CaseFilters) -> PhaseCounts:
    """An officer's unfiltered counts are one read of their kept counts; the rest aggregate."""
    if actor.role is Role.RECOVERY_OFFICER and filters == CaseFilters():
        counts = await repository.officer_counts(actor.id)
    else:
        counts = await repository.count_by_phase(filters.query(actor))
    by_phase = {phase: counts.get(phase.value, 0) for phase in Phase}
    return PhaseCounts(counts=by_phase, total=sum(by_phase.values()))


_CASE_ID = re.compile(r"^[0-9a-fA-F]{24}$")


@dataclass(frozen=True)
class CaseSearch(CaseFilters):
    """The list's filters and one search term: a case id, an account or customer
    reference, the start of a word of the customer's name, or (as `customer_ids`, found
    by the caller) the customers whose contacts hold the term. The reach still wins."""

    text: str = ""
    customer_ids: tuple[str, ...] = ()

    def query(self, actor: User) -> dict[str, Any]:
        query = super().query(actor)
        text = self.text.strip()
        if not text:
            return query
        if _CASE_ID.match(text):
            return {"$and": [query, {"_id": ObjectId(text.lower())}]}
        word = {"$regex": rf"(^|\s){re.escape(text)}", "$options": "i"}
        matches: list[dict[str, Any]] = [
            {"account_id": text},
            {"customer_id": text},
            {"customer_name": word},
        ]
        if self.customer_ids:
            matches.append({"customer_id": {"$in": list(self.customer_ids)}})
        return {"$and": [query, {"$or": matches}]}
