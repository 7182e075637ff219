from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from backend.auth.deps import CurrentUser
from backend.cases.deps import CaseForCaller
from backend.core.pagination import Limit, ObjectIdCursor, Page
from backend.requests import service
from backend.requests.models import RequestStatus, RequestType
from backend.requests.schemas import OfficerRequestCreate, OfficerRequestRead, RequestDecisionCreate

router = APIRouter(tags=["requests"])

RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Request id")]
CaseIdFilter = Annotated[str | None, Query(pattern=r"^[0-9a-f]{24}$", description="Only this case")]


@router.post(
    "/cases/{case_id}/requests",
    status_code=status.HTTP_201_CREATED,
    summary="Raise a request on a case",
)
async def create_request(
    case: CaseForCaller, actor: CurrentUser, body: OfficerRequestCreate
) -> OfficerRequestRead:
    """The holding officer or their supervisor: board letter, validity extension or other."""
    return await service.create(actor=actor, case=case, data=body)


@router.get("/cases/{case_id}/requests", summary="Requests raised on a case")
async def list_case_requests(
    case: CaseForCaller,
    actor: CurrentUser,
    request_status: Annotated[RequestStatus | None, Query(alias="status")] = None,
    cursor: ObjectIdCursor = None,
    limit: Limit = 50,
) -> Page[OfficerRequestRead]:
    """The case's requests within the caller's reach, newest first."""
    return await service.list_for(
        actor=actor,
        status=request_status,
        kind=None,
        case_id=str(case.id),
        cursor=cursor,
        limit=limit,
    )


@router.get("/requests", summary="List officer requests")
async def list_requests(
    actor: CurrentUser,
    request_status: Annotated[RequestStatus | None, Query(alias="status")] = None,
    kind: Annotated[RequestType | None, Query(alias="type")] = None,
    case_id: CaseIdFilter = None,
    cursor: ObjectIdCursor = None,
    limit: Limit = 50,
) -> Page[OfficerRequestRead]:
    """Officers see their own requests, supervisors their DRC's, operator staff all."""
    return await service.list_for(
        actor=actor, status=request_status, kind=kind, case_id=case_id, cursor=cursor, limit=limit
    )


@router.get("/requests/{request_id}", summary="One officer request")
async def get_request(actor: CurrentUser, request_id: RequestId) -> OfficerRequestRead:
    """404 when the caller may not see it."""
    return service.read(await service.get_for(actor=actor, request_id=request_id))


@router.post("/requests/{request_id}/decision", summary="Approve or reject a request")
async def decide_request(
    actor: CurrentUser, request_id: RequestId, body: RequestDecisionCreate
) -> OfficerRequestRead:
    """Extensions and board letters: operator staff; other: the DRC's supervisor too."""
    return await service.decide(actor=actor, request_id=request_id, data=body)
