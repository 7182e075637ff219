from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from backend.core.money import Money
from backend.core.schemas import ACCOUNT_NUMBER, NOT_BLANK, Notes, RequestModel
from backend.disputes.models import DisputeKind, DisputeOutcome, DisputeStatus

ObjectIdText = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{24}$")]
RecordId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$")]
Description = Annotated[str, StringConstraints(min_length=3, max_length=2000, pattern=NOT_BLANK)]


class DisputeOnCase(RequestModel):
    """A customer's dispute of a bill or a payment on the account of the case."""

    kind: DisputeKind
    invoice_id: RecordId | None = Field(default=None, description="The BSS invoice disputed")
    payment_id: ObjectIdText | None = Field(default=None, description="The payment disputed")
    amount: Money | None = Field(default=None, description="What the customer says is wrong")
    description: Description


class DisputeCreate(DisputeOnCase):
    """A customer's dispute of a bill or a payment on one of their accounts."""

    account_id: Annotated[str, StringConstraints(pattern=ACCOUNT_NUMBER)]
    case_id: ObjectIdText | None = Field(
        default=None, description="The case it was raised on (needed by DRC staff)"
    )
    receipt_id: RecordId | None = Field(default=None, description="The provider receipt")


class DisputeResolve(RequestModel):
    """How the dispute ends: credit or refund an amount, correct the record, or reject it."""

    outcome: DisputeOutcome
    amount: Money | None = Field(default=None, description="Credit or refund only")
    note: Notes = Field(description="The correction made, the reason for rejecting, or why")


class DisputeResolutionRead(BaseModel):
    outcome: DisputeOutcome
    amount: Money | None
    note: str
    by: str
    at: datetime
    reversed_payment_id: str | None
    refunded_receipt_id: str | None
    credit_note_requested: bool


class DisputeRead(BaseModel):
    id: str
    kind: DisputeKind
    status: DisputeStatus
    account_id: str
    customer_id: str
    invoice_id: str | None
    payment_id: str | None
    receipt_id: str | None
    amount: Money | None
    description: str
    case_id: str | None
    drc_id: str | None
    ro_id: str | None
    raised_by: str
    raised_at: datetime
    investigated_by: str | None
    investigated_at: datetime | None
    resolution: DisputeResolutionRead | None
    contact_held: bool = Field(description="Collection contact with the customer is on hold")


class DisputeFilters(BaseModel):
    status: DisputeStatus | None = None
    kind: DisputeKind | None = None
    account_id: str | None = None
    customer_id: str | None = None
    drc_id: str | None = None
