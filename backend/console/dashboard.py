"""The dashboard: cases by phase, recovery over time, officers' work, aging of open cases
and (operator staff) DRCs compared, as cards, charts and the tables behind them.

Every figure comes from the performance service that `GET /performance/...` answers
from, for the same caller, so the dashboard and the API never disagree.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from backend.cases.phases import Phase
from backend.console import forms
from backend.console.deps import SignedIn, console_state
from backend.console.i18n import Translate, translator
from backend.console.routing import ConsoleRoute
from backend.console.templates import render, template_for
from backend.core.errors import ValidationFailed
from backend.core.money import Money
from backend.drcs import service as drcs
from backend.performance import service as performance
from backend.performance.schemas import Aging, Performance, PhaseCounts, Recovery
from backend.users.models import User
from backend.users.schemas import DRC_ID_PATTERN

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

MONTH_CHOICES = (3, 6, 12, 24)
CHART_ROWS = 12  # officers or DRCs a chart draws (most collected first); the table has all


class DashboardQuery(BaseModel):
    """The dashboard's query string: the window, and (operator staff) one DRC."""

    model_config = ConfigDict(extra="ignore")

    months: int = Field(default=6, ge=1, le=24)
    drc: str | None = Field(default=None, pattern=DRC_ID_PATTERN)


@dataclass(frozen=True)
class Figures:
    """Everything the dashboard shows, as the API answers it."""

    phases: PhaseCounts
    recovery: Recovery
    officers: Performance
    aging: Aging
    drcs: Performance | None  # operator staff only

    @property
    def open_cases(self) -> int:
        return self.phases.total - self.phases.counts.get(Phase.CLOSED, 0)

    @property
    def collected(self) -> Money:
        return Money(amount=sum(month.collected.amount for month in self.recovery.months))

    @property
    def recovery_rate_bp(self) -> int:
        return self.recovery.months[-1].recovery_rate_bp

    @property
    def promises(self) -> tuple[int, int]:
        """Promises kept and broken in the window, over the officers shown."""
        rows = self.officers.rows
        return sum(r.promises_kept for r in rows), sum(r.promises_broken for r in rows)


async def figures_for(actor: User, query: DashboardQuery) -> Figures:
    """The dashboard's figures for `actor`: the performance service, as the API calls it."""
    drc_id, months = query.drc, query.months
    # the DRC is checked first, so a refusal is one answer, not several at once
    await performance.reach_of(actor=actor, drc_id=drc_id)
    phases, recovery, officers, aging, compared = await asyncio.gather(
        performance.phases(actor=actor, drc_id=drc_id),
        performance.recovery(actor=actor, months=months, drc_id=drc_id),
        performance.officers(actor=actor, months=months, drc_id=drc_id),
        performance.aging(actor=actor, drc_id=drc_id),
        _compared(actor, months),
    )
    return Figures(phases, recovery, officers, aging, compared)


async def _compared(actor: User, months: int) -> Performance | None:
    """The DRCs compared, for operator staff; nothing for anyone else."""
    return await performance.compare_drcs(actor=actor, months=months) if actor.is_operator else None


def _major(minor: int) -> float:
    """An amount in whole units, for a chart's axis only (the tables show exact money)."""
    return minor / 100


def _percent(basis_points: int) -> float:
    return basis_points / 100


def band_label(t: Translate, low: int, high: int | None) -> str:
    if high is None:
        return t("dashboard.band_over", days=low - 1)
    return t("dashboard.band", low=low, high=high)


def charts_of(figures: Figures, t: Translate) -> dict[str, dict[str, Any]]:
    """Each chart's labels and series, for its canvas's data-chart (drawn by dashboard.js)."""
    phases = list(Phase)
    months = figures.recovery.months
    officers, aging = figures.officers.rows[:CHART_ROWS], figures.aging.bands
    charts: dict[str, dict[str, Any]] = {
        "phases": _bars(
            [t(f"phase.{p.value}") for p in phases],
            (t("dashboard.cases"), [figures.phases.counts.get(p, 0) for p in phases]),
        ),
        "recovery": _bars(
            [m.month for m in months],
            (t("dashboard.collected"), [_major(m.collected.amount) for m in months]),
        ),
        "officers": _bars(
            [row.name for row in officers],
            (t("dashboard.kept"), [row.promises_kept for row in officers]),
            (t("dashboard.broken"), [row.promises_broken for row in officers]),
        ),
        "aging": _bars(
            [band_label(t, band.min_days, band.max_days) for band in aging],
            (t("dashboard.cases"), [band.cases for band in aging]),
        ),
    }
    charts["recovery"]["series"].append(
        {
            "label": t("dashboard.rate"),
            "values": [_percent(m.recovery_rate_bp) for m in months],
            "type": "line",
            "axis": "rate",
        }
    )
    if figures.drcs is not None:
        rows = figures.drcs.rows[:CHART_ROWS]
        charts["drcs"] = _bars(
            [row.name for row in rows],
            (t("dashboard.collected"), [_major(row.collected.amount) for row in rows]),
        )
    return charts


def _bars(labels: list[str], *series: tuple[str, list[int] | list[float]]) -> dict[str, Any]:
    """A bar chart; counts (whole numbers throughout) get whole-number ticks."""
    return {
        "kind": "bar",
        "labels": labels,
        "series": [{"label": label, "values": values} for label, values in series],
        "whole": all(isinstance(v, int) for _, values in series for v in values),
    }


# htmx asks for the polled figures alone; anything else is the whole page.
_FRAGMENTS = {"dashboard-figures": "dashboard/_figures.html"}


@router.get("/dashboard")
async def dashboard(request: Request, caller: SignedIn) -> Response:
    """Cards, charts and their tables; the figures refresh themselves."""
    actor, problem = caller.user, None
    try:
        query = forms.parse(DashboardQuery, forms.values(request.query_params))
    except ValidationFailed as exc:
        problem, query = exc, DashboardQuery()
    figures = await figures_for(actor, query)
    drc_names = (
        {d.id: d.name for d in await drcs.list_for(actor=actor)} if actor.is_operator else {}
    )
    return render(
        request,
        template_for(request, _FRAGMENTS, "dashboard/page.html"),
        session=caller.session,
        user=actor,
        status=problem.status if problem else 200,
        query=query,
        typed=forms.values(request.query_params),
        problem=problem,
        fields=forms.field_problems(problem),
        figures=figures,
        charts=charts_of(figures, translator(caller.session.language)),
        month_choices=MONTH_CHOICES,
        drcs=drc_names,
        band_label=band_label,
        chart_rows=CHART_ROWS,
        refresh_seconds=console_state(request).settings.console.refresh_seconds,
    )
