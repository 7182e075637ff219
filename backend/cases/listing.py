"""Reading a case list a bounded window at a time, on the indexes the list sorts by.

A list is one or more *streams*: equality filters that lead one of the list indexes
(`models.LIST_INDEXES`: scope, then `is_open` or `phase`, then the sort field, then _id).
A page reads the streams window by window along the sort field, from the cursor's value
on, each window an index range on every server (SecantusDB reads a query's whole match
before it sorts, so the range is what bounds the work; on MongoDB the same query stops at
its range as well). A window's width follows the
density seen so far, and the last one found per list is remembered for the next page.

What no index serves (a search term, a region) is checked on each row read; the rows read
for one page are capped, and a page that reaches the cap ends with a cursor at the last
row read, so a rare match costs more pages, never an unbounded read.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bson import ObjectId

from backend.cases import repository
from backend.core import clock

Row = dict[str, Any]
Match = Callable[[Row], bool]

SCAN_BUDGET = 2_000  # rows one page may read, matching or not
_FLOOR_TIME, _CEILING_TIME = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Axis:
    """Positions along a sort field as numbers, so windows can be measured and grown."""

    to_x: Callable[[Any], float]
    from_x: Callable[[float], Any]
    floor: float
    ceiling: float
    width: float  # the first window's, when nothing is known of the list
    lowest: Any  # below or above any stored value: the last window's far bound
    highest: Any
    step: Callable[[Any, int], Any]  # the next value a store can hold, in a direction

    def beyond(self, value: Any, direction: int) -> Any:
        """The first value after `value` in a list of `direction`, as an inclusive bound
        (SecantusDB reads an exclusive start wrongly on a key with fields after it)."""
        return self.step(value, direction)

    def origin(self, direction: int, field: str) -> float:
        """Where a first page starts: now for the latest-first order, else the far end."""
        if field == "updated_at":
            return self.to_x(clock.now() + timedelta(minutes=5))
        return self.ceiling if direction < 0 else self.floor


TIME = Axis(
    to_x=lambda value: value.timestamp(),
    from_x=lambda x: datetime.fromtimestamp(x, UTC),
    floor=_FLOOR_TIME.timestamp(),
    ceiling=_CEILING_TIME.timestamp(),
    width=86_400.0,
    lowest=datetime.min.replace(tzinfo=UTC),
    highest=datetime.max.replace(tzinfo=UTC),
    # stores keep times to the millisecond
    step=lambda value, direction: value + timedelta(milliseconds=1 if direction > 0 else -1),
)
# amounts in minor units, measured on a log scale: a window is a factor, not a sum
AMOUNT = Axis(
    to_x=lambda value: math.log2(max(float(value), 0.0) + 1.0),
    from_x=lambda x: 2.0**x - 1.0,
    floor=0.0,
    ceiling=63.0,
    width=1.0,
    lowest=-math.inf,
    highest=math.inf,
    step=lambda value, direction: math.nextafter(value, math.inf * direction),
)
AXES = {"outstanding.amount": AMOUNT}


@dataclass(frozen=True)
class Plan:
    """One list: its streams, its order, and what each row read must also satisfy."""

    streams: tuple[dict[str, Any], ...]
    field: str
    direction: int
    match: Match
    fields: tuple[str, ...]
    residual: bool = False  # whether `match` can refuse rows the streams return

    @property
    def axis(self) -> Axis:
        return AXES.get(self.field, TIME)

    def memo_key(self) -> tuple:
        return (self.field, self.direction, tuple(tuple(sorted(s.items())) for s in self.streams))


@dataclass
class Scan:
    """The rows of one page read so far: those that match, and the last one read."""

    want: int
    matched: list[Row]
    read: int = 0
    last: Row | None = None
    complete: bool = False  # every row of the list after the position was read

    def take(self, rows: list[Row], plan: Plan) -> None:
        for row in rows:
            if self.done:
                return
            self.read += 1
            self.last = row
            if plan.match(row):
                self.matched.append(row)

    @property
    def done(self) -> bool:
        return len(self.matched) >= self.want or self.read >= SCAN_BUDGET


# Per list, the density last seen (matching rows per unit of the axis) and where a first
# page filled: only where the next page's first window falls, never what it returns.
_memo: dict[tuple, tuple[float, float | None]] = {}
_MEMO_SIZE = 4_096


def value_of(row: Row, field: str) -> Any:
    """The value of `field` (a dotted path) in a raw row."""
    value: Any = row
    for part in field.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def order(plan: Plan, rows: list[Row]) -> list[Row]:
    """`rows` in the list's order: the sort field, then _id, in the list's direction."""
    reverse = plan.direction < 0
    return sorted(rows, key=lambda row: (value_of(row, plan.field), row["_id"]), reverse=reverse)


def after(plan: Plan, row: Row, position: tuple[Any, ObjectId]) -> bool:
    """Whether `row` comes after `position` (value, _id) in the list's order."""
    key = (value_of(row, plan.field), row["_id"])
    return key < position if plan.direction < 0 else key > position


Key = tuple[Any, ObjectId]  # a row's place in its list: sort value, then _id


def key_of(row: Row, field: str) -> Key:
    return (value_of(row, field), row["_id"])


async def _read(plan: Plan, condition: dict[str, Any], limit: int) -> tuple[list[Row], Key | None]:
    """The first `limit` rows (0: all) of each stream within `condition`, merged in order;
    and when a stream had more, the place of its last row read (the merged rows stop there
    too). Unlimited reads are not sorted by the server: SecantusDB's sort costs more than
    the rows it orders (2 ms for 40), so a window expected to hold about what is wanted is
    read whole and ordered here."""
    sort = [(plan.field, plan.direction), ("_id", plan.direction)] if limit else None
    found = await asyncio.gather(
        *(
            repository.find_rows({**stream, **condition}, plan.fields, sort=sort, limit=limit)
            for stream in plan.streams
        )
    )
    rows = order(plan, [row for part in found for row in part])
    cuts = [key_of(part[-1], plan.field) for part in found if limit and len(part) >= limit]
    if not cuts:
        return rows, None
    edge = max(cuts) if plan.direction < 0 else min(cuts)
    return [row for row in rows if not after(plan, row, edge)], edge


def _window(plan: Plan, outer: Any, inner: Any) -> dict[str, Any]:
    """The sort field from `outer` (inclusive; None: the list's start) to `inner`
    (exclusive; None: the list's end), in the list's order; a range never holds the cases
    without the field. Inclusive where the index's keys begin, exclusive where they end:
    the only range SecantusDB reads exactly on a key with fields after it."""
    desc = plan.direction < 0
    bounds: dict[str, Any] = {}
    if outer is not None:
        bounds["$lte" if desc else "$gte"] = outer
    if inner is not None:
        bounds["$gt" if desc else "$lt"] = inner
    if not bounds:
        bounds["$gt" if desc else "$lt"] = plan.axis.lowest if desc else plan.axis.highest
    return {plan.field: bounds}


async def _past(plan: Plan, scan: Scan, place: Key) -> Any:
    """Read the rows tied with `place`'s value that come after it (by _id, as many reads
    as it takes); the inclusive start of the range after that value."""
    value, last_id = place
    while not scan.done:
        ties = {plan.field: value, "_id": {"$lt" if plan.direction < 0 else "$gt": last_id}}
        rows, edge = await _read(plan, ties, scan.want - len(scan.matched))
        scan.take(rows, plan)
        if edge is None:
            break
        last_id = edge[1]
    return plan.axis.beyond(value, plan.direction)


def _next_width(scan: Scan, covered: float, width: float, empty: bool) -> float:
    """Wide enough for the rows still wanted at the density seen, within the budget."""
    if empty or not scan.matched:
        return width * 8
    need = scan.want - len(scan.matched)
    wanted = need * covered / len(scan.matched) * 1.25
    room = (SCAN_BUDGET - scan.read) * covered / max(scan.read, 1)
    return max(min(wanted, room, width * 16), width)


async def read_page(plan: Plan, position: Key | None, limit: int) -> Scan:
    """Up to `limit + 1` matching rows after `position`, or fewer and the last row read
    when the budget ran out first. No read returns more rows than are still wanted: a
    window with more goes on from its last row read."""
    axis, desc = plan.axis, plan.direction < 0
    scan = Scan(want=limit + 1, matched=[])
    density, filled_at = _memo.get(plan.memo_key(), (0.0, None))
    start = axis.to_x(position[0]) if position else axis.origin(plan.direction, plan.field)
    width = scan.want / density if density > 0 else axis.width
    if position is None and filled_at is not None:
        # to where the last first page filled, and a quarter page more
        width = abs(start - filled_at) + width / 4
    outer = await _past(plan, scan, position) if position else None
    x = start - width if desc else start + width
    while not scan.done:
        final = x <= axis.floor if desc else x >= axis.ceiling
        inner = None if final else axis.from_x(x)
        need = scan.want - len(scan.matched)
        # read whole a window the density says holds about what is wanted, else the first
        known = density > 0 and not final and not plan.residual
        limit = need if not known or density * width > 2 * need else 0
        rows, edge = await _read(plan, _window(plan, outer, inner), limit)
        scan.take(rows, plan)
        if edge is not None:
            outer = await _past(plan, scan, edge)
            continue
        if final:
            scan.complete = not scan.done
            break
        outer = inner
        width = _next_width(scan, abs(x - start), width, empty=not rows)
        x = x - width if desc else x + width
    _remember(plan, scan, None if position is None else filled_at)
    return scan


def _remember(plan: Plan, scan: Scan, filled_at: float | None) -> None:
    """Keep the density over the page's rows, and (first pages) where its last row was."""
    if len(scan.matched) < 2:
        return
    first = plan.axis.to_x(value_of(scan.matched[0], plan.field))
    edge = plan.axis.to_x(value_of(scan.matched[-1], plan.field))
    if edge == first:  # ties alone say nothing of the density
        return
    if len(_memo) >= _MEMO_SIZE:
        _memo.clear()
    density = (len(scan.matched) - 1) / abs(first - edge)
    _memo[plan.memo_key()] = (density, edge if filled_at is None else filled_at)
