from __future__ import annotations

from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from backend.auth.deps import OperatorStaff
from backend.core.csvexport import csv_response
from backend.core.pagination import Limit
from backend.reconciliation import service
from backend.reconciliation.schemas import (
    Day,
    Month,
    ReportRead,
    ReportSummary,
    VerificationRead,
)

router = APIRouter(tags=["reconciliation"])

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "?format=csv"}
}


def report_download(report: ReportRead) -> Response:
    """The report as a CSV download (every cell neutralised for spreadsheets)."""
    name = f"reconciliation-{report.day.isoformat()}.csv"
    return csv_response(name, service.CSV_HEADER, service.csv_rows(report))


@router.get("/reconciliation", summary="The latest days reconciled (operator)")
async def list_reports(_: OperatorStaff, limit: Limit = 31) -> list[ReportSummary]:
    """Newest first, with each day's totals."""
    return await service.latest_reports(limit=limit)


@router.get(
    "/reconciliation/{day}",
    summary="A day's reconciliation report (operator)",
    response_model=ReportRead,
    responses=CSV_RESPONSE,
)
async def get_report(
    _: OperatorStaff,
    day: Day,
    format: Literal["json", "csv"] = Query("json", description="json, or csv for a download"),
) -> Any:
    """Per provider: matched, missing, duplicated, amount mismatches, timing differences,
    receipts in suspense and invoice differences; `?format=csv` as a file."""
    report = await service.get_report(day=day)
    return report_download(report) if format == "csv" else report


@router.post("/reconciliation/{day}/run", summary="Reconcile a day now (operator)")
async def run_report(actor: OperatorStaff, request: Request, day: Day) -> ReportRead:
    """What the schedule does each night, for any day; the stored report is replaced."""
    settings = request.app.state.settings.bank
    return await service.run_daily(day=day, settings=settings, actor=actor)


@router.get("/reconciliation/balances/{month}", summary="A month's balance verification (operator)")
async def get_verification(_: OperatorStaff, month: Month) -> VerificationRead:
    """Accounts whose DebtX balance differs from BSS's latest figures."""
    return await service.get_verification(month=month)


@router.post(
    "/reconciliation/balances/{month}/run", summary="Verify account balances now (operator)"
)
async def run_verification(actor: OperatorStaff, month: Month) -> VerificationRead:
    """Each account with invoices: BSS's open invoices against DebtX's balance."""
    return await service.verify_balances(month=month, actor=actor)
