"""The day's reconciliation (operator staff): per provider what matched and every
exception, with the CSV the API gives at `GET /reconciliation/{day}?format=csv`; a day
not reconciled yet can be run from here, as `POST /reconciliation/{day}/run` does.
Everything goes through the reconciliation service the API uses."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import RedirectResponse, Response

from backend.console import forms
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import OperatorCaller
from backend.console.routing import ConsoleRoute
from backend.console.templates import render
from backend.core import clock
from backend.core.errors import ValidationFailed
from backend.reconciliation import service
from backend.reconciliation.errors import ReportNotFound
from backend.reconciliation.models import SECTIONS
from backend.reconciliation.router import report_download

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

PAGE = "/console/reconciliation"


class DayChosen(BaseModel):
    """The day to show or reconcile; yesterday when none is given."""

    model_config = ConfigDict(extra="ignore")

    day: date | None = None

    def chosen(self) -> date:
        return self.day or clock.now().date() - timedelta(days=1)


async def _page(
    request: Request, caller: Caller, typed: dict, problem: ValidationFailed | None = None
) -> Response:
    query, refused = forms.parse_or_problem(DayChosen, typed)
    problem = problem or refused
    day = DayChosen().chosen() if problem else query.chosen()
    try:
        report = await service.get_report(day=day)
    except ReportNotFound:
        report = None
    return render(
        request,
        "reconciliation/index.html",
        session=caller.session,
        user=caller.user,
        status=problem.status if problem else 200,
        day=day,
        typed=typed.get("day", day.isoformat()),
        report=report,
        sections=list(SECTIONS),
        latest=await service.latest_reports(limit=14),
        problem=problem,
        fields=forms.field_problems(problem, {}),
    )


@router.get("/reconciliation")
async def reconciliation_page(request: Request, caller: OperatorCaller) -> Response:
    """The chosen day's report (yesterday by default) and the latest days reconciled."""
    return await _page(request, caller, forms.values(request.query_params))


@router.get("/reconciliation/download")
async def reconciliation_download(request: Request, caller: OperatorCaller) -> Response:
    """The day's report as CSV, the API's file."""
    query = forms.parse(DayChosen, forms.values(request.query_params))
    return report_download(await service.get_report(day=query.chosen()))


@router.post("/reconciliation/run", dependencies=[CsrfChecked])
async def reconciliation_run(request: Request, caller: OperatorCaller) -> Response:
    """Reconcile the day now (the stored report is replaced), then show it."""
    typed = forms.values(await request.form())
    query, problem = forms.parse_or_problem(DayChosen, typed)
    if problem is not None:
        return await _page(request, caller, typed, problem)
    day = query.chosen()
    await service.run_daily(day=day, settings=request.app.state.settings.bank, actor=caller.user)
    return RedirectResponse(f"{PAGE}?day={day.isoformat()}", status_code=303)
