"""The day's reconciliation (operator staff): per provider what matched and every
exception, with the CSV the API gives at `GET /reconciliation/{day}?format=csv`; a day
not reconciled yet can be run from here, as `POST /reconciliation/{day}/run` does, and a
bank statement file imported, as `POST /bank/statements` does. Everything goes through
the reconciliation and banking services the API uses."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from backend.banking import service as banking
from backend.banking.errors import StatementMalformed, StatementNotFound, StatementTooLarge
from backend.banking.models import StatementOrigin
from backend.banking.schemas import StatementRead
from backend.console import forms
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import OperatorCaller
from backend.console.routing import ConsoleRoute
from backend.console.templates import render
from backend.core import clock
from backend.core.errors import DomainError, ValidationFailed
from backend.intake.uploads import clean_filename
from backend.reconciliation import service
from backend.reconciliation.errors import ReportNotFound
from backend.reconciliation.models import SECTIONS
from backend.reconciliation.router import report_download
from backend.reconciliation.schemas import ReportRead

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

PAGE = "/console/reconciliation"
_STATEMENT_ID = re.compile(r"^[0-9a-f]{64}$")


class DayChosen(BaseModel):
    """The day to show or reconcile; yesterday when none is given."""

    model_config = ConfigDict(extra="ignore")

    day: date | None = None

    def chosen(self) -> date:
        return self.day or clock.now().date() - timedelta(days=1)


async def _report(day: date) -> ReportRead | None:
    try:
        return await service.get_report(day=day)
    except ReportNotFound:
        return None


async def _imported(typed: dict) -> StatementRead | None:
    """The statement just imported, named by the page's `statement` parameter (`seen`:
    it had been imported before)."""
    statement_id = typed.get("statement")
    if not statement_id or not _STATEMENT_ID.match(statement_id):
        return None
    try:
        found = await banking.get_statement(statement_id=statement_id)
    except StatementNotFound:
        return None
    return found.model_copy(update={"already_imported": typed.get("seen") == "1"})


def _upload_fields(problem: DomainError | None) -> dict[str, str]:
    """A refused file's problems, beside the file field."""
    if problem is None:
        return {}
    lines = [f"{e['field']}: {e['reason']}" for e in problem.extra.get("errors", [])[:5]]
    return {"file": "; ".join(lines) or problem.detail}


async def _page(
    request: Request,
    caller: Caller,
    typed: dict,
    problem: ValidationFailed | None = None,
    refused_file: DomainError | None = None,
) -> Response:
    query, refused = forms.parse_or_problem(DayChosen, typed)
    problem = problem or refused
    day = DayChosen().chosen() if problem else query.chosen()
    failed = problem or refused_file
    return render(
        request,
        "reconciliation/index.html",
        session=caller.session,
        user=caller.user,
        status=failed.status if failed else 200,
        day=day,
        typed=typed.get("day", day.isoformat()),
        report=await _report(day),
        sections=list(SECTIONS),
        latest=await service.latest_reports(limit=14),
        problem=problem,
        fields=forms.field_problems(problem, {}),
        upload_fields=_upload_fields(refused_file),
        imported=await _imported(typed),
        statements=await banking.list_statements(limit=10),
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


@router.post("/reconciliation/statements", dependencies=[CsrfChecked])
async def statement_upload(request: Request, caller: OperatorCaller) -> Response:
    """Import a bank statement file, as `POST /bank/statements` does; a refused file
    shows its problems beside the field and books nothing."""
    part = (await request.form()).get("file")
    try:
        if not isinstance(part, UploadFile) or not part.filename:
            raise StatementMalformed.on("file", "choose a statement file (CSV or camt.053)")
        imported = await banking.import_statement(
            content=await part.read(),
            filename=clean_filename(part.filename) or "statement",
            origin=StatementOrigin.UPLOADED,
            settings=request.app.state.settings.bank,
            actor=caller.user,
        )
    except (StatementMalformed, StatementTooLarge) as problem:
        return await _page(request, caller, {}, refused_file=problem)
    days = sorted(line.booking_date for line in imported.lines)
    day = days[0] if days else DayChosen().chosen()
    seen = "&seen=1" if imported.already_imported else ""
    return RedirectResponse(f"{PAGE}?day={day}&statement={imported.id}{seen}", status_code=303)
