"""Segments: operator rules over an account's standing, tried in priority order."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field
from pymongo import ASCENDING, IndexModel

from backend.core import clock
from backend.core.models import KeyedDocument
from backend.core.schemas import Count, Minor


class AccountFacts(BaseModel):
    """What DebtX knows of an overdue account: what segments are decided on."""

    account_id: str
    customer_id: str
    balance: dict[str, int] = {}  # currency -> minor units owed
    days_past_due: int = 0
    unpaid_count: int = 0  # products with arrears
    payments: int = 0  # payments received on the account's cases
    promises_kept: int = 0
    promises_broken: int = 0
    disputed: bool = False
    region: str | None = None
    product_types: list[str] = []
    customer_group: str | None = None
    risk_band: str | None = None


class SegmentRules(BaseModel):
    """Every rule given must hold for an account to be in the segment; none given matches all."""

    balance_min: dict[str, Minor] = {}  # currency -> minor units, at least
    balance_max: dict[str, Minor] = {}
    days_past_due_min: Count | None = None
    days_past_due_max: Count | None = None
    payments_max: Count | None = None  # e.g. 0: never paid
    promises_broken_min: Count | None = None
    regions: list[str] = []
    product_types: list[str] = []
    customer_groups: list[str] = []
    risk_bands: list[str] = []


class Segment(KeyedDocument):
    """One segment; `id` is its key (e.g. "high-balance"). Lower `priority` is tried first."""

    id: str
    name: str
    priority: int
    rules: SegmentRules
    version: int = 1
    updated_by: str | None = None
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "segments"
        indexes = [IndexModel([("priority", ASCENDING)])]


class SegmentOverride(KeyedDocument):
    """An operator put this account in a segment by hand; `id` is the account id."""

    id: str
    segment_id: str
    reason: str
    set_by: str
    set_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "segment_overrides"


class SegmentAssignment(KeyedDocument):
    """The segment an account is in now and why; `id` is the account id."""

    id: str
    segment_id: str | None
    reason: str
    overridden: bool = False
    assigned_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "segment_assignments"
        indexes = [IndexModel([("segment_id", ASCENDING)])]


MODELS = (Segment, SegmentOverride, SegmentAssignment)
