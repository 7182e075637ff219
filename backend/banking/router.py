from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response, status
from starlette.datastructures import UploadFile

from backend.auth.deps import OperatorStaff
from backend.banking import fetching, notifications, service
from backend.banking.errors import StatementMalformed, StatementTooLarge
from backend.banking.models import StatementOrigin
from backend.banking.schemas import (
    BankNotification,
    FetchReport,
    NotificationAccepted,
    StatementRead,
    StatementSummary,
)
from backend.core.pagination import Limit
from backend.core.ratelimit import RateLimited
from backend.core.settings import BankSettings
from backend.intake.schemas import Filename
from backend.intake.uploads import clean_filename, upload_body

router = APIRouter(tags=["bank"])

StatementId = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$", description="SHA-256 of the file")]
_FILE = {"type": "string", "description": "The CSV layout or an ISO 20022 camt.053 document"}


def _upload_body() -> dict[str, Any]:
    """Intake's upload body, with the two statement formats as its raw bodies."""
    body = upload_body("The statement file")
    content = body["requestBody"]["content"]
    content.pop("application/x-ndjson")
    content.update({"text/csv": {"schema": _FILE}, "application/xml": {"schema": _FILE}})
    return body


UPLOAD_BODY = _upload_body()


def _settings(request: Request) -> BankSettings:
    return request.app.state.settings.bank


Settings = Annotated[BankSettings, Depends(_settings)]


async def statement_file(
    request: Request, filename: str | None, settings: BankSettings
) -> tuple[bytes, str]:
    """The uploaded file's bytes and name: a form's `file` part, else the raw body."""
    declared = int(request.headers.get("content-length") or 0)
    if declared > settings.max_statement_bytes + 64 * 1024:
        raise StatementTooLarge(f"the body is {declared} bytes", limit=settings.max_statement_bytes)
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        form = await request.form()
        part = form.get("file")
        if not isinstance(part, UploadFile):
            raise StatementMalformed.on("file", "the form has no file part named `file`")
        return await part.read(), clean_filename(part.filename) or "statement"
    return await request.body(), clean_filename(filename) or "statement"


@router.post(
    "/bank/statements",
    status_code=status.HTTP_201_CREATED,
    summary="Upload a bank statement file (operator)",
    openapi_extra=UPLOAD_BODY,
)
async def upload_statement(
    actor: OperatorStaff,
    request: Request,
    response: Response,
    settings: Settings,
    filename: Annotated[Filename | None, Query(description="Name recorded for a raw body")] = None,
) -> StatementRead:
    """CSV or camt.053; imported once (a file seen before is 200 with `already_imported`);
    a malformed file is a 422 listing each line's problem, and nothing is booked."""
    content, name = await statement_file(request, filename, settings)
    imported = await service.import_statement(
        content=content,
        filename=name,
        origin=StatementOrigin.UPLOADED,
        settings=settings,
        actor=actor,
    )
    if imported.already_imported:
        response.status_code = status.HTTP_200_OK
    return imported


@router.get("/bank/statements", summary="Imported bank statements (operator)")
async def list_statements(_: OperatorStaff, limit: Limit = 50) -> list[StatementSummary]:
    """Newest first, with the count of lines per outcome."""
    return await service.list_statements(limit=limit)


@router.get("/bank/statements/{statement_id}", summary="An imported statement (operator)")
async def get_statement(_: OperatorStaff, statement_id: StatementId) -> StatementRead:
    """Each line with the receipt it went to."""
    return await service.get_statement(statement_id=statement_id)


@router.post("/bank/statement-fetches", summary="Fetch the bank's new statements now (operator)")
async def fetch_now(_: OperatorStaff, request: Request, settings: Settings) -> FetchReport:
    """What the schedule does: every new file of today and the days before, imported once."""
    http = request.app.state.resources.http
    return await fetching.fetch_statements(http=http, settings=settings)


@router.post(
    "/bank/webhook",
    summary="The bank notifies a payment",
    dependencies=[RateLimited("callbacks")],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BankNotification.model_json_schema()}},
        }
    },
)
async def bank_webhook(
    request: Request,
    settings: Settings,
    timestamp: Annotated[str | None, Header(alias=notifications.TIMESTAMP)] = None,
    signature: Annotated[str | None, Header(alias=notifications.SIGNATURE)] = None,
) -> NotificationAccepted:
    """Signed by the bank (no bearer token): a bad signature is a 401 and books nothing;
    the same notification twice books once."""
    return await notifications.accept(
        body=await request.body(), timestamp=timestamp, signature=signature, settings=settings
    )
