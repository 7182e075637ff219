from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from backend.core import clock
from backend.core.models import KeyedDocument


class AssignmentPreference(StrEnum):
    """How a DRC hands its cases to its officers."""

    MANUAL = "manual"
    ROUND_ROBIN = "round_robin"
    LEAST_LOADED = "least_loaded"
    BY_AREA = "by_area"


class Drc(KeyedDocument):
    """A Debt Recovery Company. `id` is its short code, e.g. `DRC-ACME`."""

    id: str
    name: str
    active: bool = True
    regions: list[str] = []
    capacity: int = 1000
    performance_score: float = 0.5
    assignment_preference: AssignmentPreference = AssignmentPreference.MANUAL
    contact_email: str | None = None
    contact_phone: str | None = None
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "drcs"
