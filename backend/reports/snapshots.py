"""Daily snapshots of the open book, and the month-over-month rolls read from them.

`reports.snapshot_cases` (beat, late each day) has the database write every open case's
age bucket, holder and outstanding for the day; a month's figures are read from its last
complete snapshot, so history is never recomputed from the cases.
"""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

from backend.cases import service as cases
from backend.core import clock
from backend.core.figures import Reach
from backend.reports import repository

BUCKETS = (0, 30, 60, 90, 180)  # the aging report's buckets (upper bounds, days past due)


async def take(*, now: datetime | None = None) -> tuple[str, int]:
    """Write today's snapshot afresh (a second run the same day replaces the first)."""
    now = now or clock.now()
    day = f"{now:%Y-%m-%d}"
    await repository.clear_snapshot(day)
    await cases.snapshot_open(
        target=repository.snapshot_collection(), day=day, bands=BUCKETS, now=now
    )
    return day, await repository.finish_snapshot(day)


def _reached(reach: Reach) -> dict:
    return reach.match(drc="drc_id", officer="ro_id")


async def month_ends(*, start: datetime, end: datetime) -> dict[str, str]:
    """Each month's last complete snapshot day in [start, end), by month."""
    last = f"{end - timedelta(microseconds=1):%Y-%m-%d}"
    days = await repository.snapshot_days(first=f"{start:%Y-%m-%d}", last=last)
    return {month: max(group) for month, group in itertools.groupby(days, key=lambda d: d[:7])}


async def rolls(
    *, reach: Reach, start: datetime, end: datetime
) -> list[tuple[str, str, dict[tuple, int]]]:
    """(month, next month, {(band, next band or None): cases}) for each pair of months in
    the window that both have a snapshot, oldest first."""
    ends = await month_ends(start=start, end=end)
    found = []
    for month, next_month in itertools.pairwise(sorted(ends)):
        counts = await repository.roll_counts(ends[month], ends[next_month], _reached(reach))
        found.append((month, next_month, counts))
    return found


async def aging_on(
    *, reach: Reach, last_day: str
) -> tuple[str | None, dict[tuple[int, str], tuple[int, int]]]:
    """The open book per (band, currency) at the latest snapshot on or before `last_day`
    (YYYY-MM-DD), and that snapshot's day; (None, {}) when there is none."""
    days = await repository.snapshot_days(first="0000-00-00", last=last_day)
    if not days:
        return None, {}
    return days[-1], await repository.aging_on(days[-1], _reached(reach))
