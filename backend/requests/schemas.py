from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from backend.core.schemas import NOT_BLANK, RequestModel, Timestamp
from backend.requests.models import Decision, RequestDecision, RequestStatus, RequestType
from backend.users.schemas import TRIMMED

Text = Annotated[str, StringConstraints(min_length=1, max_length=4000, pattern=NOT_BLANK)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=TRIMMED)]


class OfficerRequestCreate(RequestModel):
    """`requested_until` for a validity extension only; `details` required for `other`."""

    type: RequestType
    details: Text | None = None
    requested_until: Timestamp | None = None


class RequestDecisionCreate(RequestModel):
    """A rejection needs a note; approving a board letter needs the letter's reference."""

    decision: Decision
    note: Text | None = None
    letter_reference: Reference | None = None


class OfficerRequestRead(BaseModel):
    id: str
    case_id: str
    drc_id: str | None
    ro_id: str | None
    type: RequestType
    status: RequestStatus
    details: str | None
    requested_until: datetime | None
    validity_until: datetime | None
    requested_by: str
    requested_by_role: str
    decision: RequestDecision | None
    version: int
    created_at: datetime
    updated_at: datetime
