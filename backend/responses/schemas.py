"""The SMS gateway's inbound webhook (replies and delivery receipts) and the API's reads."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from backend.responses.models import Intent, ResponseChannel


class GatewayModel(BaseModel):
    """What the gateway posts: fields it adds later are ignored, not refused."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class SmsInbound(GatewayModel):
    """A reply to one of our messages, as the gateway forwards it."""

    message_id: str = Field(min_length=1, max_length=128, description="The gateway's id")
    sender: str = Field(alias="from", min_length=3, max_length=32, description="Sender number")
    to: str | None = Field(default=None, max_length=32, description="Our number or sender id")
    text: str = Field(max_length=2000)
    received_at: AwareDatetime | None = Field(default=None, description="Unset: when it arrived")


class SmsReceipt(GatewayModel):
    """The gateway's report on a message we sent (its id as answered when we sent it)."""

    message_id: str = Field(min_length=1, max_length=128)
    status: str = Field(min_length=1, max_length=32, description="delivered, failed, ...")
    error_code: str | None = Field(default=None, max_length=64)


class SmsAnswer(BaseModel):
    """What the webhook answers; the gateway sends `reply`, when set, back to the sender."""

    accepted: bool = True
    duplicate: bool = False
    reply: str | None = None


class ReceiptAnswer(BaseModel):
    accepted: bool = True
    matched: bool


class ResponseRead(BaseModel):
    id: str
    channel: ResponseChannel
    sender: str
    to: str | None
    subject: str | None
    text: str
    customer_id: str | None
    account_ids: list[str]
    candidates: list[str]
    matched: bool
    intent: Intent
    promised_on: date | None
    received_at: datetime
    stored_at: datetime
    work_item_id: str | None


class ResponseFilters(BaseModel):
    channel: ResponseChannel | None = None
    intent: Intent | None = None
    customer_id: str | None = None
    matched: bool | None = None
