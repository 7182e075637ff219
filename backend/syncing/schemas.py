from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from backend.core import audiences
from backend.core.schemas import NOT_BLANK, RequestModel
from sync.models import InboxItem, InboxKind, InboxStatus, MutationRecord, Review
from sync.protocol import Resolution, Result

Note = Annotated[str, Field(min_length=1, max_length=1000, pattern=NOT_BLANK)]


class MutationOutcome(BaseModel):
    """What became of one mutation: the result the app was given, and any review."""

    client_id: str
    mutation_id: int
    name: str
    result: Result
    review: Review | None
    at: datetime

    @classmethod
    def of(cls, record: MutationRecord) -> MutationOutcome:
        return cls.model_validate(record.model_dump(exclude={"id", "uid"}))


class InboxRead(BaseModel):
    """A kept mutation: its payload, why it was kept, and both values of any clash."""

    id: str
    kind: InboxKind
    status: InboxStatus
    client_id: str
    mutation_id: int
    uid: str
    drc_id: str | None
    name: str
    args: dict[str, Any]
    base_version: int | None
    device_time: datetime
    entity: str | None
    code: str
    reason: str
    resolutions: list[Resolution]
    review: Review | None
    created_at: datetime

    @classmethod
    def of(cls, item: InboxItem) -> InboxRead:
        fields = item.model_dump(exclude={"id", "audience", "reviewers"})
        return cls.model_validate({**fields, "id": str(item.id), "drc_id": _drc_of(item)})


def _drc_of(item: InboxItem) -> str | None:
    """The DRC whose supervisors review the item: the sender's."""
    drcs = [who for kind, who in map(audiences.parse, item.reviewers) if kind == audiences.DRC]
    return drcs[0] if drcs else None


class Reapply(RequestModel):
    """Apply the kept mutation now, as the reviewer; `args` replaces its arguments."""

    args: dict[str, Any] | None = None
    note: Note | None = None


class Dismiss(RequestModel):
    reason: Note
