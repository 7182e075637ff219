from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from backend.core.schemas import Notes, RequestModel
from backend.oss.models import (
    Attempt,
    CureAction,
    CureActionKind,
    CureCondition,
    CureStatus,
    EventKind,
    EventStatus,
    ServiceStatus,
)


class OssEventRead(BaseModel):
    id: str
    kind: EventKind
    account_id: str
    payload: dict[str, Any]
    idempotency_key: str
    status: EventStatus
    attempts: int
    next_attempt_at: datetime | None
    history: list[Attempt]
    created_at: datetime
    delivered_at: datetime | None
    acknowledged_at: datetime | None
    failed_at: datetime | None


class ServiceStateRead(BaseModel):
    account_id: str
    status: ServiceStatus
    cycle: int
    last_event_id: str | None
    updated_at: datetime | None


class CallbackBody(BaseModel):
    """What OSS sends back once it has done (or refused) what an event asked; fields OSS
    adds are ignored (the signature covers them all the same)."""

    idempotency_key: str = Field(min_length=1, max_length=200)
    nonce: str = Field(min_length=8, max_length=200)
    result: Literal["done", "refused"] = "done"
    detail: str | None = Field(default=None, max_length=2000)


class CallbackAccepted(BaseModel):
    event_id: str
    idempotency_key: str
    event_status: EventStatus
    service_status: ServiceStatus


class CureActionCreate(RequestModel):
    """A step staff took towards the cure: a contact, an arrangement, support given."""

    kind: CureActionKind
    note: Notes


class CureRead(BaseModel):
    id: str
    account_id: str
    cycle: int
    status: CureStatus
    opened_at: datetime
    met_at: datetime | None
    met_by: CureCondition | None
    closed_at: datetime | None
    reinstatement_event_id: str | None
    actions: list[CureAction]
