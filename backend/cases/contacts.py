"""Contacts with the customer as a case keeps them: what a contact was, and the digest of
the latest few (`Case.contacts`).

Negotiations records the contacts and keeps the digest up to date; they live here, below
both, because the case document holds the digest.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel

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


RECENT_CONTACTS = 5


class ContactDigest(BaseModel):
    """A case's contacts at a glance: how many, and the latest `RECENT_CONTACTS`, newest
    first. Kept on the case (`Case.contacts`) by negotiations' record_negotiation, in the
    transaction of each record."""

    total: int = 0  # records
    recent: list[ContactBrief] = []

    @property
    def latest(self) -> datetime | None:
        """When the most recent contact happened."""
        return self.recent[0].contacted_at if self.recent else None

    def counting(self, contact: ContactBrief) -> ContactDigest:
        """The digest with `contact` counted: the records' order is (contacted_at, _id)
        descending, and an ObjectId's hex string sorts as the ObjectId does."""
        recent = sorted(
            [contact, *self.recent],
            key=lambda brief: (brief.contacted_at, brief.id),
            reverse=True,
        )
        return ContactDigest(total=self.total + 1, recent=recent[:RECENT_CONTACTS])
