"""Requests officers raise on a case, for their supervisor or the operator to decide."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock


class RequestType(StrEnum):
    MEDIATION_BOARD_LETTER = "mediation_board_letter"
    VALIDITY_EXTENSION = "validity_extension"
    OTHER = "other"


class RequestStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class Decision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


# Types of which a case may have only one pending request at a time.
ONE_PENDING = frozenset({RequestType.MEDIATION_BOARD_LETTER, RequestType.VALIDITY_EXTENSION})


class RequestDecision(BaseModel):
    decision: Decision
    note: str | None = None
    letter_reference: str | None = None  # the issued mediation board letter
    by: str
    role: str
    at: datetime = Field(default_factory=clock.now)


class OfficerRequest(Document):
    """One request on a case. Decided once; never edited otherwise."""

    case_id: str
    drc_id: str | None  # the DRC holding the case when asked
    ro_id: str | None
    type: RequestType
    status: RequestStatus = RequestStatus.PENDING
    details: str | None = None
    requested_until: datetime | None = None  # validity extension: the new end asked for
    validity_until: datetime | None = None  # the case's validity end when asked
    requested_by: str
    requested_by_role: str
    # "<case>|<type>" while a one-at-a-time request is pending, else None (unique when set)
    pending_key: str | None = None
    decision: RequestDecision | None = None
    version: int = 1
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "officer_requests"
        indexes = [
            IndexModel([("requested_by", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("drc_id", ASCENDING), ("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("case_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel(
                [("pending_key", ASCENDING)],
                unique=True,
                partialFilterExpression={"pending_key": {"$type": "string"}},
            ),
        ]


MODELS: tuple = (OfficerRequest,)
