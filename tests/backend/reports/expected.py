"""The reports' figures counted again by hand from the records a test made."""

from __future__ import annotations

from datetime import datetime

from backend.cases.models import Case
from backend.cases.phases import OPEN_PHASES

BOUNDS = (0, 30, 60, 90, 180)
NAMES = ("current", "1-30", "31-60", "61-90", "91-180", "180+")


def bucket(case: Case, now: datetime) -> str:
    age = case.age_days(now)
    return NAMES[next((i for i, top in enumerate(BOUNDS) if age <= top), len(BOUNDS))]


def aging(cases: list[Case], now: datetime) -> dict[str, tuple[int, int]]:
    """(cases, outstanding) per bucket of the open cases."""
    found = {name: (0, 0) for name in NAMES}
    for case in cases:
        if case.phase in OPEN_PHASES:
            n, owed = found[bucket(case, now)]
            found[bucket(case, now)] = (n + 1, owed + case.outstanding.amount)
    return found
