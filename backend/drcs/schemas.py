from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from backend.drcs.models import AssignmentPreference
from backend.users.schemas import DrcId, Name, Phone

Region = Annotated[str, StringConstraints(min_length=1, max_length=60, strip_whitespace=True)]


class DrcCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: DrcId
    name: Name
    regions: list[Region] = Field(default_factory=list, max_length=50)
    capacity: int = Field(default=1000, ge=0, le=1_000_000)
    performance_score: float = Field(default=0.5, ge=0, le=1)
    assignment_preference: AssignmentPreference = AssignmentPreference.MANUAL
    contact_email: EmailStr | None = None
    contact_phone: Phone | None = None


class DrcUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    active: bool | None = None
    regions: list[Region] | None = Field(default=None, max_length=50)
    capacity: int | None = Field(default=None, ge=0, le=1_000_000)
    performance_score: float | None = Field(default=None, ge=0, le=1)
    assignment_preference: AssignmentPreference | None = None
    contact_email: EmailStr | None = None
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
