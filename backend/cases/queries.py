"""Read side of cases: lists with filters, sorts and keyset cursors; counts; detail."""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from backend.cases import listing, repository
from backend.cases.listing import Row
from backend.cases.models import LIST_SCOPES, LIST_SORTS, Action, PartStatus
from backend.cases.phases import OPEN_PHASES, OPEN_VALUES, Phase
from backend.cases.schemas import CaseSort, CaseSummary, PhaseCounts
from backend.cases.service import scope_filter
from backend.core import clock
from backend.core.pagination import InvalidCursor, Page, decode_keyset, encode_keyset
from backend.users.models import Role, User

# sort -> (field, direction); ties broken by _id in the same direction
SORTS: dict[CaseSort, tuple[str, int]] = dict(zip(CaseSort, LIST_SORTS, strict=True))
_DATES = {"updated_at", "validity_until", "next_follow_up"}
# Lists read only what a list shows: no history, no CPE detail, no Beanie document.
SUMMARY_FIELDS = tuple(name for name in CaseSummary.model_fields if name != "id")
# a case, an account or a customer has few cases: read them all, then order them here
SELECTIVE_CAP = 500
COUNT_CAP = 20_000  # a term found in more cases than this is counted by aggregation
_OPEN = frozenset(OPEN_PHASES)


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
        # the caller's reach always wins over any filter it sent
        return {**CaseFilters.wanted(self), **scope_filter(actor)}

    def wanted(self) -> dict[str, Any]:
        """The filters as a query, the caller's reach aside."""
        # the most selective first: SecantusDB serves a mixed filter from its first clause
        query: dict[str, Any] = {}
        for name in (
            "account_id",
            "customer_id",
            "cpe_status",
            "ro_id",
            "drc_id",
            "action",
            "region",
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
        return query

    def equalities(self, actor: User) -> dict[str, Any]:
        """The filter's equalities with the caller's reach, which wins over them."""
        equal = {k: v for k, v in CaseFilters.wanted(self).items() if not isinstance(v, dict)}
        return {**equal, **scope_filter(actor)}

    def phase_set(self) -> frozenset[Phase] | None:
        """The phases asked for; None: every phase."""
        if self.phases:
            return frozenset(self.phases)
        return _OPEN if self.open_only else None

    def lookups(self) -> list[dict[str, Any]]:
        """Index lookups that find every case these filters can match, when a filter
        keys a few cases (an account, a customer); none otherwise."""
        if self.account_id is not None:
            return [{"account_id": self.account_id}]
        if self.customer_id is not None:
            return [{"customer_id": self.customer_id}]
        return []

    def unindexed(self) -> bool:
        """Whether some filter cannot be read off the kept counts."""
        return any(
            getattr(self, name) is not None
            for name in ("action", "region", "account_id", "customer_id", "cpe_status")
        ) or bool(self.follow_up_due)

    def matcher(self, equal: dict[str, Any], phases: frozenset[Phase] | None) -> listing.Match:
        """A check of the rows read against `equal`, `phases` and the follow-up filter."""
        values = {p.value for p in phases} if phases is not None else None
        due = clock.now() if self.follow_up_due else None

        def match(row: Row) -> bool:
            if any(row.get(name) != value for name, value in equal.items()):
                return False
            if values is not None and row.get("phase") not in values:
                return False
            follow_up = row.get("next_follow_up")
            return due is None or (follow_up is not None and follow_up <= due)

        return match


def _position(field: str, cursor: str | None) -> tuple[Any, ObjectId] | None:
    position = decode_keyset(cursor, 2)
    if position is None:
        return None
    value, last_id = position
    try:
        if field in _DATES:
            value = datetime.fromisoformat(value)
            if value.tzinfo is None or value.microsecond % 1000:
                raise ValueError("a cursor's time carries its zone, to the millisecond")
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise TypeError("an amount is a number")
        return value, ObjectId(last_id)
    except (TypeError, ValueError, InvalidId) as exc:
        raise InvalidCursor("cursor is not one this API issued for this sort") from exc


def _cursor_of(row: Row, field: str) -> str:
    value = listing.value_of(row, field)
    shown = value.isoformat() if isinstance(value, datetime) else value
    return encode_keyset(shown, str(row["_id"]))


def _streams(
    equal: dict[str, Any], phases: frozenset[Phase] | None, sort: CaseSort
) -> tuple[list[dict[str, Any]], dict[str, Any], frozenset[Phase] | None]:
    """The list indexes' equalities to read, the equalities and phases left to check."""
    if "cpe_status" in equal and sort is CaseSort.UPDATED:  # a queue of its own index
        rest = {k: v for k, v in equal.items() if k != "cpe_status"}
        return [{"cpe_status": equal["cpe_status"]}], rest, phases
    scope = next((name for name in LIST_SCOPES if name and name in equal), None)
    lead = {scope: equal[scope]} if scope else {}
    rest = {k: v for k, v in equal.items() if k != scope}
    if phases is not None and sort is CaseSort.UPDATED and phases != _OPEN:
        return [{**lead, "phase": p.value} for p in sorted(phases)], rest, None
    flags = sorted({p is not Phase.CLOSED for p in phases or Phase})
    exact = phases is None or phases in (_OPEN, frozenset({Phase.CLOSED}))
    return [{**lead, "is_open": flag} for flag in flags], rest, None if exact else phases


async def _selective(
    filters: CaseFilters, actor: User, sort: CaseSort, position: Any, limit: int
) -> listing.Scan | None:
    """The page from the few cases a case id, an account, a customer or a search term
    finds by their own indexes, ordered here; None when none is set or they find too many
    for that."""
    rows = await _found(filters, SELECTIVE_CAP)
    if rows is None:
        return None
    plan = _plan(
        filters, sort, streams=[], rest=filters.equalities(actor), phases=filters.phase_set()
    )
    rows = listing.order(plan, [row for row in rows if _sorted_by(row, plan.field)])
    if position is not None:
        rows = [row for row in rows if listing.after(plan, row, position)]
    scan = listing.Scan(want=limit + 1, matched=[])
    scan.take(rows, plan)
    scan.complete = not scan.done
    return scan


async def _found(filters: CaseFilters, cap: int) -> list[Row] | None:
    """The cases the filters' own keys find (each of `lookups` an index lookup), at most
    `cap` of them; None when there is no key or they find more."""
    lookups = filters.lookups()
    if not lookups:
        return None
    found: dict[Any, Row] = {}
    for rows in await asyncio.gather(
        *(repository.find_rows(lookup, SUMMARY_FIELDS, limit=cap + 1) for lookup in lookups)
    ):
        found.update((row["_id"], row) for row in rows)
        if len(found) > cap:
            return None
    return list(found.values())


def _sorted_by(row: Row, field: str) -> bool:
    """Whether the row has the field it is ordered by (lists leave out those without)."""
    return listing.value_of(row, field) is not None


def _plan(
    filters: CaseFilters,
    sort: CaseSort,
    *,
    streams: list[dict[str, Any]],
    rest: dict[str, Any],
    phases: frozenset[Phase] | None,
) -> listing.Plan:
    field, direction = SORTS[sort]
    searched = isinstance(filters, CaseSearch) and bool(filters.text.strip())
    return listing.Plan(
        streams=tuple(streams),
        field=field,
        direction=direction,
        match=filters.matcher(rest, phases),
        fields=SUMMARY_FIELDS,
        residual=bool(rest or phases or filters.follow_up_due or searched),
    )


async def list_cases(
    *, actor: User, filters: CaseFilters, sort: CaseSort, cursor: str | None, limit: int
) -> Page[CaseSummary]:
    """Cases within the caller's reach, one page at a time, each read off a list index a
    bounded window at a time (cases/listing.py)."""
    field, _ = SORTS[sort]
    position = _position(field, cursor)
    scan = await _selective(filters, actor, sort, position, limit)
    if scan is None:
        equal = filters.equalities(actor)
        streams, rest, phases = _streams(equal, filters.phase_set(), sort)
        plan = _plan(filters, sort, streams=streams, rest=rest, phases=phases)
        scan = await listing.read_page(plan, position, limit)
    rows = scan.matched[:limit]
    items = [CaseSummary.model_validate({**row, "id": str(row["_id"])}) for row in rows]
    last = rows[-1] if len(scan.matched) > limit else None
    if last is None and not scan.complete:
        last = scan.last
    return Page(items=items, next_cursor=_cursor_of(last, field) if last else None)


async def phase_counts(*, actor: User, filters: CaseFilters) -> PhaseCounts:
    """Counts read off the kept counts (an officer's, or the sum of count shards) unless
    a filter they do not keep is set; those aggregate."""
    if actor.role is Role.RECOVERY_OFFICER and filters == CaseFilters():
        counts = await repository.officer_counts(actor.id)
    elif filters.lookups():
        counts = await _found_counts(actor, filters)
    elif filters.unindexed():
        counts = await repository.count_by_phase(filters.query(actor))
    else:
        counts = await _kept_counts(actor, filters)
    by_phase = {phase: counts.get(phase.value, 0) for phase in Phase}
    return PhaseCounts(counts=by_phase, total=sum(by_phase.values()))


async def _found_counts(actor: User, filters: CaseFilters) -> dict[str, int]:
    """Counted from the cases the filters' own keys find (a search term's matches)."""
    rows = await _found(filters, COUNT_CAP)
    if rows is None:
        return await repository.count_by_phase(filters.query(actor))
    match = filters.matcher(filters.equalities(actor), filters.phase_set())
    counts: dict[str, int] = {}
    for row in filter(match, rows):
        counts[row["phase"]] = counts.get(row["phase"], 0) + 1
    return counts


async def _kept_counts(actor: User, filters: CaseFilters) -> dict[str, int]:
    counts = await repository.count_shards(filters.equalities(actor))
    phases = filters.phase_set()
    if phases is None:
        return counts
    return {p.value: counts.get(p.value, 0) for p in phases}


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

    def lookups(self) -> list[dict[str, Any]]:
        """The filters' own lookups, else the term's: its case, its account and customer
        references, the customers found by phone, and the names with a word it starts."""
        text = self.text.strip()
        if not text or super().lookups():
            return super().lookups()
        if _CASE_ID.match(text):
            return [{"_id": ObjectId(text.lower())}]
        start = text.split()[0].casefold()
        found: list[dict[str, Any]] = [
            {"account_id": text},
            {"customer_id": {"$in": [text, *self.customer_ids]}},
            {"name_words": {"$gte": start, "$lt": start + "\U0010ffff"}},
        ]
        return found

    def matcher(self, equal: dict[str, Any], phases: frozenset[Phase] | None) -> listing.Match:
        """The filters' check, and the term's on the rows read (the same as `query`'s)."""
        base = super().matcher(equal, phases)
        text = self.text.strip()
        if not text:
            return base
        if _CASE_ID.match(text):
            return lambda row: base(row) and str(row["_id"]) == text.lower()
        word = re.compile(rf"(^|\s){re.escape(text)}", re.IGNORECASE)
        customers = {text, *self.customer_ids}

        def match(row: Row) -> bool:
            if not base(row):
                return False
            named = word.search(row.get("customer_name") or "") is not None
            return named or row.get("account_id") == text or row.get("customer_id") in customers

        return match
