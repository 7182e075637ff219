from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from backend.commission.models import RecoveryType
from backend.core.money import Money
from backend.core.schemas import NOT_BLANK, Notes, RequestModel, Timestamp
from backend.negotiations.models import PromiseShare
from backend.payments.models import PaymentChannel, PaymentStatus, Reversal
from backend.settlements.models import InstalmentShare

Reference = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9/_.:-]{2,63}$"),
]
Reason = Annotated[str, StringConstraints(min_length=3, max_length=500, pattern=NOT_BLANK)]


class PaymentCreate(RequestModel):
    """A payment the customer made. `reference` (the receipt, bank or mobile-money
    transaction id) is unique per channel, compared without regard to case."""

    amount: Money
    paid_at: Timestamp
    channel: PaymentChannel
    reference: Reference
    note: Notes | None = None


class PaymentReverse(RequestModel):
    reason: Reason


class PaymentRead(BaseModel):
    id: str
    case_id: str
    drc_id: str | None
    ro_id: str | None
    amount: Money
    paid_at: datetime
    channel: PaymentChannel
    reference: str
    note: str | None
    recorded_by: str
    recorded_at: datetime
    status: PaymentStatus
    recovery_type: RecoveryType
    outstanding_before: Money
    applied: Money
    credit: Money
    waived: Money
    settlement_id: str | None
    settlement_completed: bool
    instalments: list[InstalmentShare]
    promises: list[PromiseShare]
    arrears_completed: bool
    case_closed: bool
    commission_entry_id: str | None
    reversal: Reversal | None
    flagged: bool
    flag_reason: str | None
