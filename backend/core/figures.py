"""What the performance figures ask of each domain: whose records, grouped how, since when.

Each domain answers with one aggregation on the database over its own collection; the
names here say what is counted, and each domain maps them to its own fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

MONTH_FORMAT = "%Y-%m"  # a month's key in the figures: "2026-12"


class By(StrEnum):
    """Whose figures a row holds."""

    OFFICER = "officer"
    DRC = "drc"


@dataclass(frozen=True)
class Reach:
    """The records counted: one DRC's, one officer's, or (both None) every one."""

    drc_id: str | None = None
    officer_id: str | None = None

    def match(self, *, drc: str, officer: str) -> dict[str, Any]:
        """This reach as a query on a collection whose fields are named `drc`, `officer`."""
        query: dict[str, Any] = {}
        if self.drc_id is not None:
            query[drc] = self.drc_id
        if self.officer_id is not None:
            query[officer] = self.officer_id
        return query


def month_of(field: str) -> dict[str, Any]:
    """The aggregation expression for the month (UTC) of a date field, as `MONTH_FORMAT`."""
    return {"$dateToString": {"format": MONTH_FORMAT, "date": f"${field}"}}


async def totals(rows: Any) -> dict[str, int]:
    """An aggregation's `{_id, n}` rows as a mapping (rows without a key dropped)."""
    return {row["_id"]: row["n"] async for row in rows if row.get("_id") is not None}
