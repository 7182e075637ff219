"""Read side of cases: lists with filters, sorts and keyset cursors; counts; detail."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId

from backend.cases import repository
from backend.cases.models import Action, Case
from backend.cases.phases import Phase
from backend.cases.schemas import CaseRead, CaseSort, CaseSummary, PhaseCounts
from backend.cases.service import scope_filter
from backend.core.pagination import Page, decode_keyset, encode_keyset
from backend.users.models import User

# sort -> (field, direction); ties broken by _id in the same direction
SORTS: dict[CaseSort, tuple[str, int]] = {
    CaseSort.UPDATED: ("updated_at", -1),
    CaseSort.ARREARS: ("outstanding.amount", -1),
    CaseSort.VALIDITY: ("validity_until", 1),
    CaseSort.FOLLOW_UP: ("next_follow_up", 1),
}
_DATES = {"updated_at", "validity_until", "next_follow_up"}


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
    open_only: bool = False

    def query(self, actor: User) -> dict[str, Any]:
        query: dict[str, Any] = {}
        for name in ("action", "drc_id", "ro_id", "region", "account_id", "customer_id"):
            value = getattr(self, name)
            if value is not None:
                query[name] = getattr(value, "value", value)
        if self.phases:
            query["phase"] = {"$in": [p.value for p in self.phases]}
        elif self.open_only:
            query["phase"] = {"$ne": Phase.CLOSED.value}
        if self.follow_up_due:
            query["next_follow_up"] = {"$lte": datetime.now(UTC)}
        # the caller's reach always wins over any filter it sent
        query.update(scope_filter(actor))
        return query


def summary_of(case: Case) -> CaseSummary:
    return CaseSummary.model_validate({**case.model_dump(), "id": str(case.id)})


def detail_of(case: Case) -> CaseRead:
    return CaseRead.model_validate(
        {**case.model_dump(), "id": str(case.id), "age_days": case.age_days()}
    )


def _after(field: str, direction: int, cursor: list[Any]) -> dict[str, Any]:
    value, last_id = cursor
    if field in _DATES:
        value = datetime.fromisoformat(value)
    op = "$lt" if direction < 0 else "$gt"
    return {"$or": [{field: {op: value}}, {field: value, "_id": {op: ObjectId(last_id)}}]}


def _key(case: Case, field: str) -> Any:
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
    rows = await repository.find(
        query, sort=[(field, direction), ("_id", direction)], limit=limit + 1
    )
    page = rows[:limit]
    next_cursor = (
        encode_keyset(_key(page[-1], field), str(page[-1].id)) if len(rows) > limit else None
    )
    return Page(items=[summary_of(c) for c in page], next_cursor=next_cursor)


async def phase_counts(*, actor: User, filters: CaseFilters) -> PhaseCounts:
    counts = await repository.count_by_phase(filters.query(actor))
    by_phase = {phase: counts.get(phase.value, 0) for phase in Phase}
    return PhaseCounts(counts=by_phase, total=sum(by_phase.values()))
