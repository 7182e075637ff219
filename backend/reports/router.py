"""Reports as JSON, CSV or PDF, and the subscriptions that mail them on a schedule."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from starlette.responses import Response

from backend.auth.deps import CurrentUser
from backend.core.csvexport import csv_response
from backend.reports import render, service, subscriptions
from backend.reports.schemas import (
    Period,
    ReportList,
    ReportName,
    ReportTable,
    SendRead,
    SubscriptionCreate,
    SubscriptionRead,
)
from backend.users.schemas import DRC_ID_PATTERN

router = APIRouter(tags=["reports"])


class OutputFormat(StrEnum):
    JSON = "json"
    CSV = "csv"
    PDF = "pdf"


SubscriptionId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Subscription id")]
_FILES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The report: JSON, or a CSV or PDF download as `format` asks",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/pdf": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get("/reports", summary="Reports the caller may read")
async def list_reports(actor: CurrentUser) -> ReportList:
    """Operator staff: every report; a DRC supervisor: their DRC's."""
    return ReportList(reports=service.list_reports(actor=actor))


@router.get(
    "/reports/{name}",
    summary="One report's figures",
    response_model=ReportTable,
    responses=_FILES,
)
async def get_report(
    actor: CurrentUser,
    name: ReportName,
    from_day: Annotated[date | None, Query(alias="from", description="First day (UTC)")] = None,
    to_day: Annotated[date | None, Query(alias="to", description="Last day (UTC)")] = None,
    drc_id: Annotated[str | None, Query(pattern=DRC_ID_PATTERN)] = None,
    period: Annotated[Period, Query(description="Payment trends: per day, week, month")] = (
        Period.MONTH
    ),
    format: Annotated[OutputFormat, Query(description="json, csv or pdf")] = OutputFormat.JSON,
) -> ReportTable | Response:
    """Within reach: a supervisor their DRC, operator staff every DRC or the one chosen."""
    filters = service.default_filters(
        from_day=from_day, to_day=to_day, drc_id=drc_id, period=period
    )
    table = await service.run(actor=actor, name=name, filters=filters)
    if format is OutputFormat.CSV:
        header, rows = render.csv_parts(table)
        return csv_response(render.filename(table, "csv"), header, rows)
    if format is OutputFormat.PDF:
        return render.pdf_response(table)
    return table


@router.get("/report-subscriptions", summary="Scheduled reports")
async def list_subscriptions(actor: CurrentUser) -> list[SubscriptionRead]:
    """Operator staff: every active subscription; a supervisor: their own."""
    return await subscriptions.list_subscriptions(actor=actor)


@router.post(
    "/report-subscriptions", status_code=status.HTTP_201_CREATED, summary="Subscribe to a report"
)
async def subscribe(actor: CurrentUser, data: SubscriptionCreate) -> SubscriptionRead:
    """Mailed after each period ends; a supervisor's subscription is for their DRC."""
    return await subscriptions.subscribe(actor=actor, data=data)


@router.delete(
    "/report-subscriptions/{subscription_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Stop a scheduled report",
)
async def unsubscribe(actor: CurrentUser, subscription_id: SubscriptionId) -> None:
    """The sends already made are kept."""
    await subscriptions.unsubscribe(actor=actor, subscription_id=subscription_id)


@router.get("/report-subscriptions/{subscription_id}/sends", summary="A scheduled report's sends")
async def sends(actor: CurrentUser, subscription_id: SubscriptionId) -> list[SendRead]:
    """Each period's mail: sent, failed (tried again on the next runs) or being sent."""
    return await subscriptions.sends_of(actor=actor, subscription_id=subscription_id)
