"""Reports: which a caller may read, and each one's figures for a window and a reach.

Operator staff read every report over every DRC (or one they choose); a DRC supervisor
reads the DRC's reports over their own DRC, rows per officer. Each report is built by
aggregations in the domains owning the records (see registry.py).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from backend.core import clock
from backend.core.errors import Forbidden
from backend.core.figures import By, Reach
from backend.drcs import service as drcs
from backend.performance.service import month_starts, reach_of
from backend.reports.catalogue import REPORTS, Report
from backend.reports.errors import ReportFiltersInvalid, ReportNotFound
from backend.reports.registry import Context
from backend.reports.schemas import Period, ReportFilters, ReportInfo, ReportName, ReportTable
from backend.users import service as users
from backend.users.models import Role, User

MAX_DAYS = 731  # the longest window: two years
DEFAULT_MONTHS = 6


def require_reader(actor: User) -> None:
    """Reports are for operator staff and DRC supervisors."""
    if not (actor.is_operator or actor.role is Role.DRC_SUPERVISOR):
        raise Forbidden("Reports are for operator staff and DRC supervisors")


def readable(actor: User) -> list[Report]:
    """The reports the actor may read, in the registry's order."""
    require_reader(actor)
    return [r for r in REPORTS.values() if actor.is_operator or not r.operator_only]


def list_reports(*, actor: User) -> list[ReportInfo]:
    return [
        ReportInfo(
            name=r.name, title=r.title, description=r.description, operator_only=r.operator_only
        )
        for r in readable(actor)
    ]


def report_of(actor: User, name: ReportName | str) -> Report:
    """The report, if the actor may read it; else not found."""
    found = next((r for r in readable(actor) if r.name == name), None)
    if found is None:
        raise ReportNotFound(f"No report {name!r}")
    return found


def default_filters(
    *,
    from_day: date | None = None,
    to_day: date | None = None,
    drc_id: str | None = None,
    period: Period = Period.MONTH,
) -> ReportFilters:
    """Filters with the window filled in (to today; from the first day of the month
    `DEFAULT_MONTHS` back), checked: from on or before to, at most `MAX_DAYS` days."""
    to_day = to_day or clock.now().date()
    from_day = from_day or month_starts(clock.now(), DEFAULT_MONTHS)[0].date()
    if from_day > to_day:
        raise ReportFiltersInvalid.on("from", "must be on or before `to`")
    if (to_day - from_day).days >= MAX_DAYS:
        raise ReportFiltersInvalid.on("from", f"the window is at most {MAX_DAYS} days")
    return ReportFilters(from_day=from_day, to_day=to_day, drc_id=drc_id, period=period)


async def _context(actor: User, filters: ReportFilters) -> Context:
    reach = await reach_of(actor=actor, drc_id=filters.drc_id)
    by = By.DRC if reach.drc_id is None else By.OFFICER
    names = await _names(actor, reach, by)
    start = datetime.combine(filters.from_day, time(), tzinfo=UTC)
    end = datetime.combine(filters.to_day + timedelta(days=1), time(), tzinfo=UTC)
    return Context(reach, by, names, filters, start, end, clock.now())


async def _names(actor: User, reach: Reach, by: By) -> dict[str, str]:
    names = {d.id: d.name for d in await drcs.list_for(actor=actor)}
    if by is By.OFFICER and reach.drc_id is not None:
        names |= {o.id: o.display_name for o in await users.officers_of(reach.drc_id)}
    return names


async def run(*, actor: User, name: ReportName | str, filters: ReportFilters) -> ReportTable:
    """The report's figures within the actor's reach (a DRC outside it is not found)."""
    found = report_of(actor, name)
    ctx = await _context(actor, filters)
    built = await found.build(ctx)
    return ReportTable(
        name=found.name,
        title=found.title,
        description=found.description,
        generated_at=ctx.now,
        filters=filters,
        columns=built.columns,
        rows=built.rows,
        chart=built.chart,
    )
