"""Equipment collection on a case: each item's furthest state, its history and approvals."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from backend.core import clock
from backend.core.models import KeyedDocument


class ItemStatus(StrEnum):
    OPEN = "open"  # nothing recorded yet, or sent back by the RCMP
    NOT_AVAILABLE = "not_available"  # visited; the device was not handed over
    LOST = "lost"  # the customer declares the device lost
    DAMAGED = "damaged"  # returned, damaged
    COLLECTED = "collected"  # returned in working order


# How far an item got back to the operator. A recording may keep or raise the rank,
# never lower it: not_available -> lost -> {damaged, collected}. Damaged and collected
# share a rank (both are in hand), so the officer may correct the condition.
RANK: dict[ItemStatus, int] = {
    ItemStatus.OPEN: 0,
    ItemStatus.NOT_AVAILABLE: 1,
    ItemStatus.LOST: 2,
    ItemStatus.DAMAGED: 3,
    ItemStatus.COLLECTED: 3,
}
IN_HAND = frozenset({ItemStatus.DAMAGED, ItemStatus.COLLECTED})


class CpeEntry(BaseModel):
    """One recording of an item, as the officer made it (or an RCMP rejection)."""

    status: ItemStatus
    at: datetime  # device time of the visit or collection
    recorded_at: datetime = Field(default_factory=clock.now)
    recorded_by: str | None = None
    condition: str | None = None
    photo_ref: str | None = None


class ItemState(BaseModel):
    serial: str
    model: str
    type: str
    status: ItemStatus = ItemStatus.OPEN
    collected_at: datetime | None = None
    condition: str | None = None
    photo_ref: str | None = None
    approved_at: datetime | None = None
    history: list[CpeEntry] = []


class ApprovalDecision(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"


class CpeApproval(BaseModel):
    """The RCMP's decision on the returned items."""

    decision: ApprovalDecision
    serials: list[str]
    at: datetime = Field(default_factory=clock.now)
    by: str
    reason: str | None = None
    reference: str | None = None


class CpeCollection(KeyedDocument):
    """The equipment record of one case; `id` is the case id."""

    id: str
    account_id: str
    items: list[ItemState] = []
    approvals: list[CpeApproval] = []
    version: int = 0  # 0 until first stored
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "cpe_collections"

    def item(self, serial: str) -> ItemState | None:
        return next((i for i in self.items if i.serial == serial), None)


MODELS: tuple = (CpeCollection,)
