"""Negotiation records (append-only) and the promises to pay they create."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock
from backend.core.money import Money


class ContactChannel(StrEnum):
    VISIT = "visit"
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    WHATSAPP = "whatsapp"
    LETTER = "letter"


class ContactResult(StrEnum):
    """What happened when the officer tried to reach the customer."""

    REACHED = "reached"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    SWITCHED_OFF = "switched_off"
    WRONG_NUMBER = "wrong_number"
    NOT_AT_PREMISES = "not_at_premises"
    LEFT_MESSAGE = "left_message"


class NegotiationOutcome(StrEnum):
    PROMISE_TO_PAY = "promise_to_pay"
    SETTLEMENT_AGREED = "settlement_agreed"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    DISPUTE_RAISED = "dispute_raised"


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
        ]


class ContactBrief(BaseModel):
    """One contact as a case's digest keeps it."""

    id: str
    contacted_at: datetime
    channel: ContactChannel
    result: ContactResult
    outcome: NegotiationOutcome
    officer_id: str
    notes: str | None = None
    promised: Money | None = None

    @classmethod
    def of(cls, record: Negotiation) -> ContactBrief:
        return cls(
            id=str(record.id),
            contacted_at=record.contacted_at,
            channel=record.channel,
            result=record.result,
            outcome=record.outcome,
            officer_id=record.officer_id,
            notes=record.notes,
            promised=record.promise.amount if record.promise else None,
        )


RECENT_CONTACTS = 5


class ContactDigest(BaseModel):
    """A case's contacts at a glance: how many, and the latest `RECENT_CONTACTS`, newest
    first. Kept on the case (`Case.contacts`) by record_negotiation, in the transaction
    of each record."""

    total: int = 0  # records
    recent: list[ContactBrief] = []

    @property
    def latest(self) -> datetime | None:
        """When the most recent contact happened."""
        return self.recent[0].contacted_at if self.recent else None

    def counting(self, record: Negotiation) -> ContactDigest:
        """The digest with `record` counted: the records' order is (contacted_at, _id)
        descending, and an ObjectId's hex string sorts as the ObjectId does."""
        recent = sorted(
            [ContactBrief.of(record), *self.recent],
            key=lambda brief: (brief.contacted_at, brief.id),
            reverse=True,
        )
        return ContactDigest(total=self.total + 1, recent=recent[:RECENT_CONTACTS])


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
        ]


class PromiseShare(BaseModel):
    """The part of one payment counted towards one promise (kept on the payment)."""

    promise_id: str
    amount: Money
    kept: bool


MODELS = (Negotiation, Promise)
