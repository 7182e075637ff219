from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from backend.cases.contacts import ContactChannel, ContactResult, NegotiationOutcome
from backend.cases.phases import Phase
from backend.core.money import Money
from backend.core.schemas import NOT_BLANK, Day, Notes, RequestModel, Timestamp
from backend.negotiations.models import PromiseState

Reason = Annotated[str, StringConstraints(min_length=3, max_length=500, pattern=NOT_BLANK)]


class PromiseIn(RequestModel):
    amount: Money
    due_date: Day


class NegotiationCreate(RequestModel):
    """One contact with the customer. `promise` goes with `promise_to_pay`,
    `dispute_reason` with `dispute_raised`; `contacted_at` is the device's time."""

    contacted_at: Timestamp
    channel: ContactChannel
    result: ContactResult
    outcome: NegotiationOutcome
    promise: PromiseIn | None = None
    dispute_reason: Reason | None = None
    notes: Notes | None = None
    next_follow_up: Timestamp | None = None


class PromiseRead(BaseModel):
    id: str
    case_id: str
    negotiation_id: str
    amount: Money
    due_date: date
    paid: Money
    state: PromiseState
    created_at: datetime
    kept_at: datetime | None
    broken_at: datetime | None


class NegotiationRead(BaseModel):
    id: str
    case_id: str
    officer_id: str
    contacted_at: datetime
    channel: ContactChannel
    result: ContactResult
    outcome: NegotiationOutcome
    promise: PromiseRead | None
    dispute_reason: str | None
    notes: str | None
    next_follow_up: datetime | None
    recorded_at: datetime


class ActiveNegotiation(BaseModel):
    """A case in negotiation with an open promise or a follow-up, for the officer's list."""

    case_id: str
    customer_id: str
    customer_name: str
    account_id: str
    phase: Phase
    outstanding: Money
    drc_id: str | None
    ro_id: str | None
    next_follow_up: datetime | None
    open_promises: list[PromiseRead]
    last_contact: NegotiationRead | None
