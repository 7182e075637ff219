from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from backend.cases.models import PartStatus
from backend.core.schemas import Notes, RequestModel, Timestamp
from backend.cpe.models import ApprovalDecision, CpeApproval, ItemState
from backend.users.schemas import TRIMMED

Serial = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=TRIMMED)]
Reference = Annotated[str, StringConstraints(min_length=1, max_length=256, pattern=TRIMMED)]


class RecordedStatus(StrEnum):
    """What an officer may record about an item."""

    COLLECTED = "collected"
    NOT_AVAILABLE = "not_available"
    DAMAGED = "damaged"
    LOST = "lost"


class CpeItemRecord(RequestModel):
    """One visit's result for one item."""

    serial: Serial
    status: RecordedStatus
    collected_at: Timestamp  # device time of the visit or collection
    condition: Notes | None = None
    photo_ref: Reference | None = None


class CpeApprovalCreate(RequestModel):
    """The RCMP's decision on the returned items; a rejection needs a reason."""

    decision: ApprovalDecision
    reason: Notes | None = None
    reference: Reference | None = None


class CpeRead(BaseModel):
    """The equipment of a case with each item's latest status and history."""

    case_id: str
    cpe_status: PartStatus
    items: list[ItemState]
    approvals: list[CpeApproval]
    version: int
    updated_at: datetime | None
