"""The reports page: every report the caller may read, one report's figures as a table
with its filters, and its CSV and PDF downloads, all from the reports service the API
answers from."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.responses import RedirectResponse, Response

from backend.console import forms
from backend.console.deps import Caller, CsrfChecked, SignedIn
from backend.console.i18n import Translate, translator
from backend.console.routing import ConsoleRoute
from backend.console.templates import render
from backend.core.csvexport import csv_response
from backend.core.errors import DomainError, ValidationFailed
from backend.drcs import service as drcs
from backend.reports import render as files
from backend.reports import service as reports
from backend.reports import subscriptions
from backend.reports.models import Frequency, ReportFormat
from backend.reports.schemas import Column, Period, ReportName, ReportTable, SubscriptionCreate
from backend.users.models import User
from backend.users.schemas import DRC_ID_PATTERN

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

SubscriptionId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
Extension = Annotated[str, Path(pattern=r"^(csv|pdf)$")]


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


async def _page(
    request: Request,
    caller: Caller,
    query: ReportQuery,
    *,
    problem: DomainError | None = None,
    mail_problem: DomainError | None = None,
    mail_typed: dict[str, Any] | None = None,
) -> Response:
    """The page for `query`: the reports, the figures, the scheduled mail and its form."""
    actor = caller.user
    table = await _table(actor, query)
    drc_names = (
        {d.id: d.name for d in await drcs.list_for(actor=actor)} if actor.is_operator else {}
    )
    failed = problem or mail_problem
    return render(
        request,
        "reports/page.html",
        session=caller.session,
        user=actor,
        status=failed.status if failed else 200,
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
        query_string=request.url.query,
        **await _mail_context(actor, mail_problem, mail_typed or {}),
    )


async def _mail_context(
    actor: User, problem: DomainError | None, typed: dict[str, Any]
) -> dict[str, Any]:
    """The scheduled reports' part of the page: the list, and the form as typed."""
    return {
        "subscriptions": await subscriptions.list_subscriptions(actor=actor),
        "mail_problem": problem,
        "mail_fields": forms.field_problems(problem, {"recipients": "recipients"}),
        "mail_typed": typed,
        "formats": list(ReportFormat),
        "frequencies": {f.value: f"reports.frequency_{f.value}" for f in Frequency},
    }


@router.get("/reports")
async def reports_page(request: Request, caller: SignedIn) -> Response:
    """The reports listed, and the chosen one's figures with its filters."""
    try:
        query = forms.parse(ReportQuery, forms.values(request.query_params))
        reports.default_filters(from_day=query.from_day, to_day=query.to_day)
    except ValidationFailed as exc:
        return await _page(request, caller, ReportQuery(), problem=exc)
    return await _page(request, caller, query)


class MailForm(BaseModel):
    """The scheduled mail form: the recipients as typed, separated by commas or spaces."""

    model_config = ConfigDict(extra="ignore")

    format: ReportFormat = ReportFormat.PDF
    frequency: Frequency = Frequency.WEEKLY
    recipients: str = ""


@router.post("/reports/subscriptions", dependencies=[CsrfChecked])
async def subscribe(request: Request, caller: SignedIn) -> Response:
    """Mail the report chosen (its DRC too) after each period; problems beside the fields."""
    query = forms.parse(ReportQuery, forms.values(request.query_params))
    sent = forms.values(await request.form())
    try:
        mail = forms.parse(MailForm, sent)
        data = forms.parse(
            SubscriptionCreate,
            {
                "report": query.name,
                "format": mail.format,
                "frequency": mail.frequency,
                "recipients": [r for r in re.split(r"[\s,;]+", mail.recipients) if r],
                "drc_id": query.drc,
            },
        )
        await subscriptions.subscribe(actor=caller.user, data=data)
    except ValidationFailed as exc:
        return await _page(request, caller, query, mail_problem=exc, mail_typed=sent)
    return RedirectResponse(f"/console/reports?{request.url.query}", status_code=303)


@router.post("/reports/subscriptions/{subscription_id}/stop", dependencies=[CsrfChecked])
async def stop(request: Request, caller: SignedIn, subscription_id: SubscriptionId) -> Response:
    """Stop a scheduled report the caller may manage (another's is not found)."""
    await subscriptions.unsubscribe(actor=caller.user, subscription_id=subscription_id)
    return RedirectResponse("/console/reports", status_code=303)


@router.get("/reports/download.{extension}")
async def download(request: Request, caller: SignedIn, extension: Extension) -> Response:
    """The chosen report as CSV or PDF, as the API's `?format=` gives it."""
    query = forms.parse(ReportQuery, forms.values(request.query_params))
    table = await _table(caller.user, query)
    if extension == "pdf":
        return files.pdf_response(table)
    header, rows = files.csv_parts(table)
    return csv_response(files.filename(table, "csv"), header, rows)
