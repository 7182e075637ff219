"""The reports page: every report the caller may read, one report's figures as a table
with its filters, and its CSV and PDF downloads, all from the reports service the API
answers from."""

from __future__ import annotations

import re
from datetime import date
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import Response

from backend.console import forms
from backend.console.deps import SignedIn
from backend.console.i18n import Translate, translator
from backend.console.routing import ConsoleRoute
from backend.console.templates import render
from backend.core.csvexport import csv_response
from backend.core.errors import ValidationFailed
from backend.drcs import service as drcs
from backend.reports import render as files
from backend.reports import service as reports
from backend.reports.schemas import Column, Period, ReportName, ReportTable
from backend.users.models import User
from backend.users.schemas import DRC_ID_PATTERN

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)


class ReportQuery(BaseModel):
    """The page's query string: which report, its window, one DRC, the trends' period."""

    model_config = ConfigDict(extra="ignore")

    name: ReportName = ReportName.AGING
    from_day: date | None = Field(default=None, alias="from")
    to_day: date | None = Field(default=None, alias="to")
    drc: str | None = Field(default=None, pattern=DRC_ID_PATTERN)
    period: Period = Period.MONTH


async def _table(actor: User, query: ReportQuery) -> ReportTable:
    filters = reports.default_filters(
        from_day=query.from_day, to_day=query.to_day, drc_id=query.drc, period=query.period
    )
    return await reports.run(actor=actor, name=query.name, filters=filters)


def column_label(t: Translate, column: Column) -> str:
    """A column's heading in the page's language (labels/report_figures.py)."""
    if column.key.startswith("to_"):
        bucket = column.key.removeprefix("to_")
        named = bucket in ("current", "closed")
        return t("report.col.to", bucket=t(f"report.bucket.{bucket}") if named else bucket)
    return t("report.col." + re.sub(r"[^a-z0-9]+", "_", column.title.lower()).strip("_"))


def _download(query: ReportQuery, table: ReportTable, extension: str) -> str:
    f = table.filters
    values = {"name": query.name.value, "from": f.from_day, "to": f.to_day, "period": f.period}
    if f.drc_id:
        values["drc"] = f.drc_id
    return f"/console/reports/download.{extension}?{urlencode(values)}"


@router.get("/reports")
async def reports_page(request: Request, caller: SignedIn) -> Response:
    """The reports listed, and the chosen one's figures with its filters."""
    actor, problem = caller.user, None
    try:
        query = forms.parse(ReportQuery, forms.values(request.query_params))
        table = await _table(actor, query)
    except ValidationFailed as exc:
        problem, query = exc, ReportQuery()
        table = await _table(actor, query)
    drc_names = (
        {d.id: d.name for d in await drcs.list_for(actor=actor)} if actor.is_operator else {}
    )
    return render(
        request,
        "reports/page.html",
        session=caller.session,
        user=actor,
        status=problem.status if problem else 200,
        listed=reports.list_reports(actor=actor),
        query=query,
        typed=forms.values(request.query_params),
        problem=problem,
        fields=forms.field_problems(problem),
        table=table,
        drcs=drc_names,
        periods=[(p.value, f"reports.period_{p.value}") for p in Period],
        csv_url=_download(query, table, "csv"),
        pdf_url=_download(query, table, "pdf"),
        cell=files.display,
        headings=[column_label(translator(caller.session.language), c) for c in table.columns],
    )


@router.get("/reports/download.{extension}")
async def download(request: Request, caller: SignedIn, extension: str) -> Response:
    """The chosen report as CSV or PDF, as the API's `?format=` gives it."""
    query = forms.parse(ReportQuery, forms.values(request.query_params))
    table = await _table(caller.user, query)
    if extension == "pdf":
        return files.pdf_response(table)
    header, rows = files.csv_parts(table)
    return csv_response(files.filename(table, "csv"), header, rows)
