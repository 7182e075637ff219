from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, status

from backend.auth.deps import OperatorStaff, UserRateLimited
from backend.core.errors import problem_responses
from backend.core.pagination import Limit, ObjectIdCursor, Page
from backend.core.settings import IntakeSettings
from backend.intake import service, uploads
from backend.intake.schemas import (
    BatchRead,
    BatchSummary,
    Filename,
    IncidentCreate,
    IncidentRead,
)

router = APIRouter(tags=["intake"])

BatchId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Batch id")]


def _settings(request: Request) -> IntakeSettings:
    return request.app.state.settings.intake


Settings = Annotated[IntakeSettings, Depends(_settings)]

UPLOAD_BODY: dict[str, Any] = uploads.upload_body("The file")


@router.post("/incidents", status_code=status.HTTP_201_CREATED, summary="Register an incident")
async def register_incident(
    actor: OperatorStaff, body: IncidentCreate, settings: Settings
) -> IncidentRead:
    """Operator staff: validate, merge the customer and account, open one case."""
    incident = await service.register_incident(actor=actor, data=body, settings=settings)
    return service.incident_read(incident)


@router.post(
    "/incidents/batches",
    status_code=status.HTTP_201_CREATED,
    summary="Upload a bulk incident file",
    openapi_extra=UPLOAD_BODY,
    responses=problem_responses(429),
    dependencies=[UserRateLimited("uploads")],
)
async def upload_batch(
    actor: OperatorStaff,
    request: Request,
    settings: Settings,
    filename: Annotated[Filename | None, Query(description="Name recorded for a raw body")] = None,
) -> BatchRead:
    """Operator staff: CSV or JSON Lines, streamed and written in chunks; returns the report."""
    upload = await uploads.from_request(request, filename)
    batch = await service.import_upload(actor=actor, upload=upload, settings=settings)
    return service.batch_read(batch)


@router.get("/incidents/batches", summary="List bulk imports")
async def list_batches(
    actor: OperatorStaff, cursor: ObjectIdCursor = None, limit: Limit = 50
) -> Page[BatchSummary]:
    """Operator staff; newest first."""
    return await service.list_batches(actor=actor, cursor=cursor, limit=limit)


@router.get("/incidents/batches/{batch_id}", summary="A bulk import's report")
async def get_batch(actor: OperatorStaff, batch_id: BatchId) -> BatchRead:
    """Operator staff: counts, refused rows with reasons, duplicate rows."""
    return await service.get_batch(actor=actor, batch_id=batch_id)
