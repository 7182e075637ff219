from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Request, status

from backend.auth.deps import OperatorStaff
from backend.core.pagination import Limit, ObjectIdCursor, Page
from backend.core.schemas import AccountNumber
from backend.oss import callbacks, cure, service, signing
from backend.oss.models import EventKind, EventStatus
from backend.oss.schemas import (
    CallbackAccepted,
    CallbackBody,
    CureActionCreate,
    CureRead,
    OssEventRead,
    ServiceStateRead,
)

router = APIRouter(tags=["oss"])

AccountId = AccountNumber
EventId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Event id")]
CallbackTimestamp = Annotated[
    str | None, Header(alias=signing.CALLBACK_TIMESTAMP, description="Unix seconds")
]
CallbackSignature = Annotated[
    str | None,
    Header(alias=signing.CALLBACK_SIGNATURE, description="sha256=HMAC of `timestamp.body`"),
]


@router.post(
    "/oss/callbacks",
    summary="OSS acknowledges an event",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": CallbackBody.model_json_schema()}},
        }
    },
)
async def oss_callback(
    request: Request, timestamp: CallbackTimestamp = None, signature: CallbackSignature = None
) -> CallbackAccepted:
    """Signed by OSS with the callback secret (no bearer token); a tampered callback is a
    401, a replayed or stale one a 409, and neither changes anything."""
    return await callbacks.accept(
        body=await request.body(),
        timestamp=timestamp,
        signature=signature,
        settings=request.app.state.settings.oss,
    )


@router.get("/oss/accounts/{account_id}", summary="An account's service state (operator)")
async def get_service_state(_: OperatorStaff, account_id: AccountId) -> ServiceStateRead:
    """active (also for an account OSS was never asked about), suspension_requested,
    suspended, reinstatement_requested or reinstated."""
    return await service.service_state(account_id)


@router.get("/oss/events", summary="Events to OSS (operator)")
async def list_events(
    _: OperatorStaff,
    status: EventStatus | None = None,
    kind: EventKind | None = None,
    account_id: str | None = None,
    cursor: ObjectIdCursor = None,
    limit: Limit = 50,
) -> Page[OssEventRead]:
    """Newest first; `status=failed` lists the ones OSS never took, to follow up."""
    return await service.list_events(
        status=status, kind=kind, account_id=account_id, cursor=cursor, limit=limit
    )


@router.post("/oss/events/{event_id}/retry", summary="Send a failed event again (operator)")
async def retry_event(actor: OperatorStaff, event_id: EventId) -> OssEventRead:
    """After OSS refused it or every attempt failed: the same idempotency key, attempts anew."""
    return await service.retry_failed(actor=actor, event_id=event_id)


@router.get("/cure/{account_id}", summary="An account's cure record (operator)")
async def get_cure(_: OperatorStaff, account_id: AccountId) -> CureRead:
    """The latest cure record: its conditions met or not, and the staff's actions."""
    return await cure.get_cure(account_id=account_id)


@router.post(
    "/cure/{account_id}/actions",
    status_code=status.HTTP_201_CREATED,
    summary="Record a cure action (operator)",
)
async def add_cure_action(
    actor: OperatorStaff, account_id: AccountId, body: CureActionCreate
) -> CureRead:
    """A contact, arrangement or support step taken with the customer; audited."""
    return await cure.add_action(actor=actor, account_id=account_id, data=body)
