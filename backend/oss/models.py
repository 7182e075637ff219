"""Events to OSS (the outbox), what OSS said back, each account's service state, and the
cure records that bring a suspended account back."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock


class EventKind(StrEnum):
    SUSPENSION = "suspension"
    REINSTATEMENT = "reinstatement"


class EventStatus(StrEnum):
    PENDING = "pending"  # waiting for (another) attempt
    DELIVERED = "delivered"  # OSS accepted it; its acknowledgement is to come
    ACKNOWLEDGED = "acknowledged"  # OSS says the suspension or reinstatement is done
    FAILED = "failed"  # refused, or every attempt used: operator staff follow it up


class ServiceStatus(StrEnum):
    ACTIVE = "active"
    SUSPENSION_REQUESTED = "suspension_requested"
    SUSPENDED = "suspended"
    REINSTATEMENT_REQUESTED = "reinstatement_requested"
    REINSTATED = "reinstated"


class Attempt(BaseModel):
    at: datetime
    status: int | None = None  # OSS's HTTP status; None when it never answered
    detail: str


class OssEvent(Document):
    """One request to OSS. The idempotency key stays the same on every attempt, so OSS
    applies it once however often it arrives."""

    kind: EventKind
    account_id: str
    payload: dict[str, Any]
    idempotency_key: str
    status: EventStatus = EventStatus.PENDING
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default_factory=clock.now)
    history: list[Attempt] = []
    claim: str | None = None  # the worker sending it now
    claimed_at: datetime | None = None
    created_at: datetime = Field(default_factory=clock.now)
    delivered_at: datetime | None = None
    acknowledged_at: datetime | None = None
    failed_at: datetime | None = None

    class Settings:
        name = "oss_events"
        indexes = [
            IndexModel([("idempotency_key", ASCENDING)], unique=True),
            IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
            IndexModel([("account_id", ASCENDING), ("_id", DESCENDING)]),
        ]


class OssCallback(Document):
    """A callback OSS sent, keyed by its nonce, so a replay is recognised."""

    id: str  # type: ignore[assignment]  # the nonce
    idempotency_key: str
    received_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "oss_callbacks"


class ServiceState(Document):
    """Where the account's service stands with OSS; `cycle` counts suspensions."""

    id: str  # type: ignore[assignment]  # the account id
    status: ServiceStatus = ServiceStatus.ACTIVE
    cycle: int = 0
    last_event_id: str | None = None
    updated_at: datetime = Field(default_factory=clock.now)
    version: int = 1

    class Settings:
        name = "oss_service_states"


class CureStatus(StrEnum):
    OPEN = "open"  # suspended; waiting for the arrears or the first instalment
    MET = "met"  # a condition was met; reinstatement requested
    CLOSED = "closed"  # OSS reinstated the service


class CureCondition(StrEnum):
    ARREARS_PAID = "arrears_paid"
    FIRST_INSTALMENT_PAID = "first_instalment_paid"


class CureActionKind(StrEnum):
    CONTACT = "contact"
    ARRANGEMENT = "arrangement"
    SUPPORT = "support"
    NOTE = "note"


class CureAction(BaseModel):
    at: datetime = Field(default_factory=clock.now)
    by: str
    kind: CureActionKind
    note: str


class CureRecord(Document):
    """The way back for one suspension of one account."""

    account_id: str
    cycle: int
    status: CureStatus = CureStatus.OPEN
    opened_at: datetime = Field(default_factory=clock.now)
    met_at: datetime | None = None
    met_by: CureCondition | None = None
    closed_at: datetime | None = None
    reinstatement_event_id: str | None = None
    actions: list[CureAction] = []
    version: int = 1

    class Settings:
        name = "oss_cures"
        indexes = [
            IndexModel([("account_id", ASCENDING), ("cycle", ASCENDING)], unique=True),
            IndexModel([("status", ASCENDING), ("_id", ASCENDING)]),
        ]


MODELS = (OssEvent, OssCallback, ServiceState, CureRecord)
