"""The reports DebtX offers, each a builder registered under its name.

A builder receives the `Context` (whose records, which window, grouped by DRC or by
officer) and answers its columns, rows and chart from aggregations in the domains that
own the records. A new report is a `ReportName` member and one `@report` builder in a
module that `catalogue.py` imports.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from backend.core.figures import By, Reach
from backend.reports.schemas import Cell, Chart, Column, ColumnKind, ReportFilters, ReportName

NO_HOLDER = "-"  # a row of records no DRC (or no officer) held


@dataclass(frozen=True)
class Context:
    """What a builder is asked: within `reach`, in [start, end), rows per `by`."""

    reach: Reach
    by: By
    names: Mapping[str, str]  # the DRCs' (or officers') names by id
    filters: ReportFilters
    start: datetime
    end: datetime
    now: datetime

    def name_of(self, holder: str | None) -> str:
        """A row's holder as people read it."""
        if holder is None:
            return NO_HOLDER
        return self.names.get(holder, holder)


@dataclass
class Built:
    columns: list[Column]
    rows: list[dict[str, Cell]] = field(default_factory=list)
    chart: Chart | None = None


Builder = Callable[[Context], Awaitable[Built]]


@dataclass(frozen=True)
class Report:
    name: ReportName
    title: str
    description: str
    build: Builder
    operator_only: bool = False


REPORTS: dict[ReportName, Report] = {}


def report(
    name: ReportName, title: str, description: str, *, operator_only: bool = False
) -> Callable[[Builder], Builder]:
    """Register the decorated builder as report `name`."""

    def register(build: Builder) -> Builder:
        if name in REPORTS:
            raise ValueError(f"report {name} is registered twice")
        REPORTS[name] = Report(name, title, description, build, operator_only)
        return build

    return register


def columns(*specs: tuple[str, str, ColumnKind]) -> list[Column]:
    """Columns from (key, title, kind) triples."""
    return [Column(key=key, title=title, kind=kind) for key, title, kind in specs]


def holder_column(by: By) -> tuple[str, str, ColumnKind]:
    return ("holder", "Officer" if by is By.OFFICER else "DRC", "text")


def by_key(rows: list[dict], *fields: str) -> dict[tuple, dict]:
    """Aggregation rows keyed by the named fields of their `_id`."""
    return {tuple(row["_id"].get(f) for f in fields): row for row in rows}
