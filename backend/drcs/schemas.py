from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.core.schemas import JsonNumber, RequestModel, StrictBool, omittable
from backend.drcs.models import AssignmentPreference
from backend.users.schemas import TRIMMED, DrcId, Email, Name, Phone

Region = Annotated[str, StringConstraints(max_length=60, pattern=TRIMMED)]
Capacity = Annotated[int, Field(ge=0, le=1_000_000), JsonNumber]
Score = Annotated[float, Field(ge=0, le=1), JsonNumber]


class DrcCreate(RequestModel):
    id: DrcId
    name: Name
    regions: list[Region] = Field(default_factory=list, max_length=50)
    capacity: Capacity = 1000
    performance_score: Score = 0.5
    assignment_preference: AssignmentPreference = AssignmentPreference.MANUAL
    contact_email: Email | None = None
    contact_phone: Phone | None = None


class DrcUpdate(RequestModel):
    name: Name = omittable()
    active: StrictBool = omittable()
    regions: list[Region] = omittable(max_length=50)
    capacity: Capacity = omittable()
    performance_score: Score = omittable()
    assignment_preference: AssignmentPreference = omittable()
    contact_email: Email | None = None
    contact_phone: Phone | None = None


class DrcRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    active: bool
    regions: list[str]
    capacity: int
    performance_score: float
    assignment_preference: AssignmentPreference
    contact_email: str | None
    contact_phone: str | None
    created_at: datetime
    updated_at: datetime
