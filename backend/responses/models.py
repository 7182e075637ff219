"""Replies from customers (SMS and email) and where the mailbox was read up to."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from beanie import Document
from pydantic import Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock, pii
from backend.core.models import KeyedDocument
from backend.core.pii import Pii


class ResponseChannel(StrEnum):
    SMS = "sms"
    EMAIL = "email"


class Intent(StrEnum):
    STOP = "stop"
    PROMISE = "promise"
    DISPUTE = "dispute"
    OTHER = "other"


class Response(Document):
    """One message a customer sent us. `source_key` ("sms|<provider id>" or
    "email|<uidvalidity>|<uid>") is unique, so a message delivered twice is stored once."""

    source_key: str
    channel: ResponseChannel
    sender: Pii  # the phone number or address it came from
    to: str | None = None
    subject: str | None = None
    text: str
    customer_id: str | None = None  # None: matched to no customer
    account_ids: list[str] = []
    candidates: list[str] = []  # when several customers share the number or address
    intent: Intent = Intent.OTHER
    promised_on: date | None = None
    received_at: datetime
    stored_at: datetime = Field(default_factory=clock.now)
    work_item_id: str | None = None

    class Settings:
        name = "responses"
        bson_encoders = pii.SEALING
        indexes = [
            IndexModel([("source_key", ASCENDING)], unique=True),
            IndexModel([("customer_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("intent", ASCENDING), ("_id", DESCENDING)]),
        ]

    @property
    def matched(self) -> bool:
        return self.customer_id is not None


class MailboxState(KeyedDocument):
    """How far a mailbox folder has been read. `id` is "<user>@<host>/<folder>"; a new
    UIDVALIDITY means the server renumbered the folder, so reading starts over (the
    responses' unique keys still keep each message once)."""

    id: str
    uidvalidity: int
    last_uid: int = 0
    read_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "response_mailboxes"


MODELS = (Response, MailboxState)
