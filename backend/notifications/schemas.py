from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from backend.core.money import Money
from backend.core.schemas import NO_BLANKS, NOT_BLANK, Day, RequestModel, StrictBool
from backend.customers.models import Language
from backend.notifications.models import (
    Channel,
    DeliveryStatus,
    DeviceResult,
    NotificationKind,
    Platform,
    TemplateKey,
)

HourMinute = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
FcmToken = Annotated[str, StringConstraints(min_length=1, max_length=4096, pattern=NO_BLANKS)]
AppVersion = Annotated[str, StringConstraints(min_length=1, max_length=40, pattern=NO_BLANKS)]
TimeZoneName = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=NOT_BLANK)]
Title = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=NOT_BLANK)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=NOT_BLANK)]
Cap = Annotated[int, Field(ge=0, le=100)]


class CustomerChannel(StrEnum):
    """The channels that reach customers (push is for staff)."""

    SMS = "sms"
    EMAIL = "email"

    @property
    def channel(self) -> Channel:
        return Channel(self.value)


class DeviceRegister(RequestModel):
    """The app's current FCM token on this device; send again whenever it changes."""

    token: FcmToken
    platform: Platform
    app_version: AppVersion | None = None


class DeviceRead(BaseModel):
    device_id: str
    platform: Platform
    app_version: str | None
    registered_at: datetime
    refreshed_at: datetime
    topics: list[str] = Field(description="FCM topics the app subscribes this device to")


class NotificationRead(BaseModel):
    id: str
    kind: NotificationKind
    title: str
    body: str
    case_id: str | None
    route: str = Field(description="Where the app opens when the user taps it")
    created_at: datetime
    read_at: datetime | None


class FeedCounts(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int


class QuietHoursIn(RequestModel):
    """Local times; the window may run over midnight (22:00 to 07:00)."""

    start: HourMinute
    end: HourMinute


class QuietHoursRead(BaseModel):
    start: str
    end: str


class PreferencesUpdate(RequestModel):
    """In-app notifications always arrive; push, SMS and email as chosen.
    SMS and email go to the phone and address on the user's account."""

    push: StrictBool
    sms: StrictBool
    email: StrictBool
    quiet_hours: QuietHoursIn | None = None
    time_zone: TimeZoneName = "Asia/Colombo"


class PreferencesRead(BaseModel):
    push: bool
    sms: bool
    email: bool
    quiet_hours: QuietHoursRead | None
    time_zone: str


class BroadcastCreate(RequestModel):
    """A message to every device of a DRC's staff (its FCM topic), and their feeds."""

    drc_id: Annotated[str, StringConstraints(pattern=r"^[A-Z0-9-]{2,32}$")]
    title: Title
    body: Text


class BroadcastRead(BaseModel):
    drc_id: str
    topic: str
    delivery_id: str


class CustomerMessageCreate(RequestModel):
    """A message to the case's customer from a template; the contact policy applies when
    it is sent. `amount` defaults to what is outstanding, `due_date` to today."""

    template: TemplateKey
    channels: list[CustomerChannel] = Field(
        default=[CustomerChannel.SMS], min_length=1, max_length=2
    )
    amount: Money | None = None
    due_date: Day | None = None


class DeliveryEventRead(BaseModel):
    at: datetime
    status: DeliveryStatus
    detail: str | None


class DeliveryRead(BaseModel):
    id: str
    channel: Channel
    audience: str
    kind: str
    user_id: str | None
    customer_id: str | None
    case_id: str | None
    drc_id: str | None
    topic: str | None
    title: str | None
    body: str
    language: Language | None
    to: str | None
    status: DeliveryStatus
    reason: str | None
    attempts: int
    next_attempt_at: datetime
    sent_at: datetime | None
    provider_id: str | None
    results: list[DeviceResult]
    events: list[DeliveryEventRead]
    created_at: datetime
    updated_at: datetime


class TemplateUpdate(RequestModel):
    """Placeholders: {name}, {amount}, {due_date}, {reference}, {link}. Email needs a
    subject; SMS takes none."""

    subject: Title | None = None
    body: Annotated[str, StringConstraints(min_length=1, max_length=1600, pattern=NOT_BLANK)]


class TemplatePreview(BaseModel):
    """A template filled with sample values, as a customer would read it."""

    subject: str | None
    body: str


class TemplateRead(BaseModel):
    key: TemplateKey
    channel: Channel
    language: Language
    subject: str | None
    body: str
    built_in: bool
    updated_by: str | None
    updated_at: datetime | None


class ContactPolicyUpdate(RequestModel):
    """Quiet hours apply in each customer's own time zone; caps count messages sent on
    a channel within the window."""

    quiet_hours: QuietHoursIn
    sms_cap: Cap
    email_cap: Cap
    cap_window_hours: Annotated[int, Field(ge=1, le=24 * 90)]


class ContactPolicyRead(BaseModel):
    quiet_hours: QuietHoursRead
    sms_cap: int
    email_cap: int
    cap_window_hours: int
    updated_by: str | None
    updated_at: datetime | None


class OptOutCreate(RequestModel):
    reason: Reason | None = None


class OptOutRead(BaseModel):
    customer_id: str
    channel: Channel
    reason: str | None
    recorded_by: str | None
    recorded_at: datetime
