from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import Path
from pydantic import BaseModel, Field, StringConstraints

from backend.core.schemas import Count, Label, Reason, RequestModel
from backend.segments.models import SegmentRules

SEGMENT_KEY = r"^[a-z0-9][a-z0-9-]{0,39}$"
SegmentKey = Annotated[str, StringConstraints(pattern=SEGMENT_KEY)]
# A segment in a route's path (a strategy, an experiment are the segment's too).
SegmentPath = Annotated[str, Path(pattern=SEGMENT_KEY, description="Segment key")]
Name = Label


class SegmentRulesIn(RequestModel, SegmentRules):
    """The rules as sent: unknown rule names are refused."""


class SegmentCreate(RequestModel):
    id: SegmentKey
    name: Name
    priority: Count | None = Field(default=None, description="Default: after the last")
    rules: SegmentRulesIn


class SegmentUpdate(RequestModel):
    name: Name
    rules: SegmentRulesIn


class SegmentRead(BaseModel):
    id: str
    name: str
    priority: int
    rules: SegmentRules
    version: int
    updated_by: str | None
    updated_at: datetime


class SegmentOrder(RequestModel):
    """Every segment's id, first tried first."""

    ids: list[SegmentKey] = Field(min_length=1, max_length=500)


class OverrideCreate(RequestModel):
    segment_id: SegmentKey
    reason: Reason


class AssignmentRead(BaseModel):
    account_id: str
    segment_id: str | None
    reason: str
    overridden: bool
    assigned_at: datetime
