"""Bulk incident uploads (operator staff): the file form, the latest imports, and each
import's live progress and row report, read through the intake service as the API reads it.

The file is read ahead and counted while the browser waits (a file that cannot be read is
refused beside the field, and nothing is stored), then imported after the answer is sent;
the upload's page polls the batch until it is done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.background import BackgroundTask
from starlette.datastructures import UploadFile
from starlette.responses import RedirectResponse, Response

from backend.console.deps import Caller, CsrfChecked, SignedIn, console_state
from backend.console.i18n import translator
from backend.console.routing import ConsoleRoute
from backend.console.templates import render
from backend.core import ratelimit
from backend.core.csvexport import csv_response
from backend.core.errors import DomainError
from backend.intake import service as intake
from backend.intake import uploads
from backend.intake.errors import InvalidFile, UnsupportedFormat
from backend.intake.models import BatchStatus
from backend.intake.schemas import BatchRead

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

RECENT = 20
BatchId = Annotated[str, Path(min_length=1, max_length=64)]
_LISTED_EXTRAS = ("unknown_columns", "missing_columns", "repeated_columns")


@dataclass(frozen=True)
class ReportRow:
    """One row of a file that was not taken, and why."""

    row: int
    outcome: str  # refused or duplicate
    field: str | None
    reason: str


def report_rows(batch: BatchRead) -> list[ReportRow]:
    """The refused and duplicate rows, in file order (rows not listed were taken)."""
    rows = [ReportRow(p.row, "refused", p.field, p.reason) for p in batch.problems]
    rows += [ReportRow(p.row, "duplicate", p.field, p.reason) for p in batch.duplicate_rows]
    return sorted(rows, key=lambda r: r.row)


def progress_of(batch: BatchRead) -> tuple[int, int]:
    """The progress bar's value and maximum: rows done of the rows the file holds."""
    total = max(batch.expected_rows or 0, batch.rows, 1)
    return min(batch.rows, total), total


def _file_problem(problem: DomainError) -> str:
    """The problem's detail, with the columns it names (a header that does not match)."""
    named = [
        f"{name.replace('_', ' ')}: {', '.join(problem.extra[name])}"
        for name in _LISTED_EXTRAS
        if problem.extra.get(name)
    ]
    return "; ".join([problem.detail, *named])


async def _uploads_page(
    request: Request, caller: Caller, problem: DomainError | None = None
) -> Response:
    recent = await intake.list_batches(actor=caller.user, cursor=None, limit=RECENT)
    return render(
        request,
        "uploads/list.html",
        session=caller.session,
        user=caller.user,
        status=422 if problem else 200,
        recent=recent.items,
        problem=problem,
        fields={"file": _file_problem(problem)} if problem else {},
    )


@router.get("/uploads")
async def uploads_page(request: Request, caller: SignedIn) -> Response:
    """The upload form and the latest imports."""
    return await _uploads_page(request, caller)


@router.post("/uploads", dependencies=[CsrfChecked])
async def upload_file(request: Request, caller: SignedIn) -> Response:
    """Read the file ahead, then import it after answering; the browser goes to its page."""
    await ratelimit.check(request, "uploads", user=caller.user.id)
    file = (await request.form()).get("file")
    try:
        if not isinstance(file, UploadFile) or not file.filename:
            raise InvalidFile("Choose a CSV or JSON Lines file to upload")
        staged = await intake.stage_upload(
            actor=caller.user,
            upload=uploads.from_form_file(file),
            settings=console_state(request).settings.intake,
        )
    except (InvalidFile, UnsupportedFormat) as exc:
        return await _uploads_page(request, caller, exc)
    return RedirectResponse(
        f"/console/uploads/{staged.batch.id}",
        status_code=303,
        background=BackgroundTask(intake.run_staged, staged),
    )


@router.get("/uploads/{batch_id}")
async def upload_page(request: Request, batch_id: BatchId, caller: SignedIn) -> Response:
    """One import: its progress bar (polled while it runs), then its row report."""
    batch = await intake.get_batch(actor=caller.user, batch_id=batch_id)
    polled = request.headers.get("hx-target") == "upload-progress"
    value, maximum = progress_of(batch)
    return render(
        request,
        "uploads/_progress.html" if polled else "uploads/detail.html",
        session=caller.session,
        user=caller.user,
        batch=batch,
        running=batch.status is BatchStatus.RUNNING,
        value=value,
        maximum=maximum,
        report=report_rows(batch),
        refresh_seconds=console_state(request).settings.console.refresh_seconds,
    )


@router.get("/uploads/{batch_id}/report.csv")
async def upload_report(batch_id: BatchId, caller: SignedIn) -> Response:
    """The row report as a CSV download, in the caller's language."""
    batch = await intake.get_batch(actor=caller.user, batch_id=batch_id)
    t = translator(caller.session.language)
    header = [t("uploads.col_row"), t("uploads.col_outcome"), t("uploads.col_field")]
    return csv_response(
        f"upload-{batch.id}-report.csv",
        [*header, t("uploads.col_problem")],
        [[r.row, t(f"upload_outcome.{r.outcome}"), r.field, r.reason] for r in report_rows(batch)],
    )
