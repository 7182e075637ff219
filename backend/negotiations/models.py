"""Negotiation records (append-only) and the promises to pay they create."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.cases.contacts import ContactBrief, ContactChannel, ContactResult, NegotiationOutcome
from backend.core import clock
from backend.core.money import Money


class PromiseState(StrEnum):
    OPEN = "open"
    KEPT = "kept"  # paid in full by its due date
    BROKEN = "broken"  # its due date passed without full payment


class PromiseTerms(BaseModel):
    amount: Money
    due_date: date


class Negotiation(Document):
    """One contact with the customer, as the officer recorded it. Never changed."""

    case_id: str
    drc_id: str | None
    officer_id: str
    contacted_at: datetime
    channel: ContactChannel
    result: ContactResult
    outcome: NegotiationOutcome
    promise: PromiseTerms | None = None
    promise_id: str | None = None
    dispute_reason: str | None = None
    notes: str | None = None
    next_follow_up: datetime | None = None
    recorded_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "negotiations"
        indexes = [
            IndexModel([("case_id", ASCENDING), ("contacted_at", DESCENDING), ("_id", DESCENDING)]),
            # the performance figures: contacts since a day, a DRC's, an officer's or all
            IndexModel([("drc_id", ASCENDING), ("contacted_at", ASCENDING)]),
            IndexModel([("officer_id", ASCENDING), ("contacted_at", ASCENDING)]),
            IndexModel([("contacted_at", ASCENDING)]),
        ]

    def brief(self) -> ContactBrief:
        """This contact as its case's digest keeps it."""
        return ContactBrief(
            id=str(self.id),
            contacted_at=self.contacted_at,
            channel=self.channel,
            result=self.result,
            outcome=self.outcome,
            officer_id=self.officer_id,
            notes=self.notes,
            promised=self.promise.amount if self.promise else None,
        )


class Promise(Document):
    """A promise to pay made in a negotiation; payments by its due date keep it."""

    case_id: str
    negotiation_id: str
    officer_id: str
    drc_id: str | None
    amount: Money
    due_date: date
    paid: Money
    state: PromiseState = PromiseState.OPEN
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)
    kept_at: datetime | None = None
    broken_at: datetime | None = None
    version: int = 1

    class Settings:
        name = "promises"
        indexes = [
            IndexModel([("case_id", ASCENDING), ("state", ASCENDING), ("due_date", ASCENDING)]),
            IndexModel([("state", ASCENDING), ("due_date", ASCENDING)]),
            # the performance figures: promises settled since a day (kept_at and broken_at
            # are set with updated_at), a DRC's, an officer's or all
            IndexModel([("drc_id", ASCENDING), ("updated_at", ASCENDING)]),
            IndexModel([("officer_id", ASCENDING), ("updated_at", ASCENDING)]),
            IndexModel([("updated_at", ASCENDING)]),
        ]


class PromiseShare(BaseModel):
    """The part of one payment counted towards one promise (kept on the payment)."""

    promise_id: str
    amount: Money
    kept: bool


MODELS = (Negotiation, Promise)
