from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field

from backend.core.schemas import RequestModel
from backend.worklist.models import WorkKind, WorkStatus


class WorkNoteRead(BaseModel):
    at: datetime
    by: str | None
    text: str


class WorkItemRead(BaseModel):
    id: str
    kind: WorkKind
    title: str
    customer_id: str | None
    account_id: str | None
    response_id: str | None
    due: date
    status: WorkStatus
    assignee: str | None
    notes: list[WorkNoteRead]
    created_at: datetime
    closed_at: datetime | None


class WorkItemClose(RequestModel):
    note: str = Field(min_length=1, max_length=2000, description="What was done")


class WorkFilters(BaseModel):
    kind: WorkKind | None = None
    status: WorkStatus | None = None
    assignee: str | None = None
    customer_id: str | None = None
    due_before: date | None = None
