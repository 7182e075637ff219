"""Items staff work by hand: a promise to follow up, a reply nobody could match, an
account the dunning ladder got no answer from."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock


class WorkKind(StrEnum):
    PROMISE_FOLLOW_UP = "promise_follow_up"
    UNMATCHED_RESPONSE = "unmatched_response"
    ESCALATION = "escalation"


class WorkStatus(StrEnum):
    OPEN = "open"
    CLAIMED = "claimed"
    DONE = "done"


class WorkNote(BaseModel):
    at: datetime = Field(default_factory=clock.now)
    by: str | None = None
    text: str


class WorkItem(Document):
    """One thing for operator staff to do, opened by the system, claimed and closed by staff."""

    kind: WorkKind
    title: str
    customer_id: str | None = None
    account_id: str | None = None
    response_id: str | None = None
    key: str | None = None  # what the item is for, unique: one item however often it is opened
    due: date
    status: WorkStatus = WorkStatus.OPEN
    assignee: str | None = None
    notes: list[WorkNote] = []
    version: int = 1
    created_at: datetime = Field(default_factory=clock.now)
    closed_at: datetime | None = None

    class Settings:
        name = "work_items"
        indexes = [
            IndexModel([("status", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("assignee", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("customer_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel(
                [("key", ASCENDING)],
                unique=True,
                partialFilterExpression={"key": {"$type": "string"}},
            ),
        ]


MODELS = (WorkItem,)
