"""Devices, the in-app feed, the delivery log (the messages still to send, and what became
of those sent), preferences, customer message templates and the customer contact policy."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock, pii
from backend.core.models import KeyedDocument
from backend.core.pii import Pii
from backend.customers.models import Language


class Channel(StrEnum):
    """How a message leaves DebtX. Staff also always get the in-app feed."""

    PUSH = "push"
    SMS = "sms"
    EMAIL = "email"


CUSTOMER_CHANNELS = (Channel.SMS, Channel.EMAIL)


class NotificationKind(StrEnum):
    CASE_ASSIGNED = "case_assigned"
    CASE_TAKEN_AWAY = "case_taken_away"
    PROMISE_DUE = "promise_due"
    FOLLOW_UP_DUE = "follow_up_due"
    FOLLOW_UP_OVERDUE = "follow_up_overdue"
    INSTALMENT_MISSED = "instalment_missed"
    HEARING_TOMORROW = "hearing_tomorrow"
    REQUEST_APPROVED = "request_approved"
    REQUEST_REJECTED = "request_rejected"
    MUTATION_REJECTED = "mutation_rejected"
    MUTATION_IN_REVIEW = "mutation_in_review"
    VALIDITY_ENDING = "validity_ending"
    BROADCAST = "broadcast"


class TemplateKey(StrEnum):
    """Customer messages DebtX knows how to word."""

    PAYMENT_REMINDER = "payment_reminder"
    PROMISE_DUE = "promise_due"
    INSTALMENT_MISSED = "instalment_missed"
    # the dunning ladder's messages, before an account reaches a DRC
    DUNNING_REMINDER = "dunning_reminder"
    DUNNING_FOLLOW_UP = "dunning_follow_up"
    DUNNING_FINAL_NOTICE = "dunning_final_notice"


class Platform(StrEnum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"


class Device(Document):
    """One installation of the app on one device, with its current FCM token."""

    user_id: str
    device_id: str
    token: str
    platform: Platform
    app_version: str | None = None
    registered_at: datetime = Field(default_factory=clock.now)
    refreshed_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "notification_devices"
        indexes = [
            IndexModel([("user_id", ASCENDING), ("device_id", ASCENDING)], unique=True),
            IndexModel([("token", ASCENDING)], unique=True),
        ]


class Notification(Document):
    """One item of a user's in-app feed. The text is final; only `read_at` changes."""

    user_id: str
    kind: NotificationKind
    title: str
    body: str
    case_id: str | None = None
    route: str
    data: dict[str, str] = {}
    # "<what>|<item>|<day>|<user>" for reminders that must go out once
    dedupe_key: str | None = None
    created_at: datetime = Field(default_factory=clock.now)
    read_at: datetime | None = None

    class Settings:
        name = "notifications"
        indexes = [
            IndexModel([("user_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("user_id", ASCENDING), ("read_at", ASCENDING)]),
            IndexModel(
                [("dedupe_key", ASCENDING)],
                unique=True,
                partialFilterExpression={"dedupe_key": {"$type": "string"}},
            ),
        ]


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # stored with the change that caused it; not tried yet
    SENDING = "sending"  # claimed by a worker
    RETRYING = "retrying"  # a transient failure; tried again at next_attempt_at
    DEFERRED = "deferred"  # quiet hours; tried again when they end
    SENT = "sent"
    BLOCKED = "blocked"  # the contact policy refused it
    SKIPPED = "skipped"  # nowhere to send it (no device, no contact, channel not set up)
    FAILED = "failed"  # refused by the provider, or out of attempts


CLAIMABLE = (DeliveryStatus.PENDING, DeliveryStatus.RETRYING, DeliveryStatus.DEFERRED)


class Audience(StrEnum):
    STAFF = "staff"
    CUSTOMER = "customer"


class DeliveryEvent(BaseModel):
    """One line of a delivery's log: each attempt, send, block and deferral."""

    at: datetime = Field(default_factory=clock.now)
    status: DeliveryStatus
    detail: str | None = None


class DeviceResult(BaseModel):
    """What FCM said about one of the user's devices."""

    device_id: str
    ok: bool
    pruned: bool = False
    transient: bool = False  # tried again on the next attempt
    detail: str | None = None  # FCM message name, or the error code


class Delivery(Document):
    """One message on one channel to one recipient (or a DRC topic): written in the
    triggering transaction, it waits there to be sent, then logs what became of it."""

    channel: Channel
    audience: Audience
    kind: str  # a NotificationKind for staff, a TemplateKey for customers
    user_id: str | None = None
    customer_id: str | None = None
    case_id: str | None = None
    drc_id: str | None = None
    topic: str | None = None
    notification_id: str | None = None
    title: str | None = None  # push title, email subject
    body: str
    data: dict[str, str] = {}
    collapse_key: str | None = None
    language: Language | None = None
    to: Pii | None = None  # the phone number or address used at the last attempt
    status: DeliveryStatus = DeliveryStatus.PENDING
    reason: str | None = None  # why blocked, skipped or failed (a stable word)
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=clock.now)
    claimed_at: datetime | None = None
    claim: str | None = None  # the claiming worker's token while it sends
    sent_at: datetime | None = None
    provider_id: str | None = None
    receipt: str | None = None  # the provider's last delivery report ("delivered", ...)
    results: list[DeviceResult] = []
    events: list[DeliveryEvent] = []
    dedupe_key: str | None = None
    created_by: str | None = None
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "notification_deliveries"
        bson_encoders = pii.SEALING
        indexes = [
            IndexModel([("status", ASCENDING), ("next_attempt_at", ASCENDING)]),
            IndexModel(
                [("customer_id", ASCENDING), ("channel", ASCENDING), ("sent_at", DESCENDING)]
            ),
            IndexModel([("case_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("drc_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel(
                [("provider_id", ASCENDING)],
                partialFilterExpression={"provider_id": {"$type": "string"}},
            ),
            IndexModel(
                [("dedupe_key", ASCENDING)],
                unique=True,
                partialFilterExpression={"dedupe_key": {"$type": "string"}},
            ),
            # the lookup of used keys: SecantusDB answers it from no partial index (a scan
            # of every delivery, ~0.6 s at 20,000), from this one in ~2 ms
            IndexModel([("dedupe_key", ASCENDING), ("_id", ASCENDING)]),
        ]


class QuietHours(BaseModel):
    """Local "HH:MM" times; a window may run over midnight (22:00 to 07:00)."""

    start: str
    end: str


class Preferences(KeyedDocument):
    """A staff user's channels and quiet hours. `id` is the uid; absent means defaults."""

    id: str
    push: bool = True
    sms: bool = False
    email: bool = False
    quiet_hours: QuietHours | None = None
    time_zone: str = "Asia/Colombo"
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "notification_preferences"

    def wants(self, channel: Channel) -> bool:
        return bool(getattr(self, channel.value))


class MessageTemplate(KeyedDocument):
    """Operator wording of one customer message, replacing the built-in one.
    `id` is "<key>|<channel>|<language>"."""

    id: str
    key: TemplateKey
    channel: Channel
    language: Language
    subject: str | None = None
    body: str
    updated_by: str | None = None
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "message_templates"


class ContactPolicy(KeyedDocument):
    """The operator's rules for contacting customers; one document, `id` "default".
    Absent means the settings' defaults."""

    id: str = "default"
    quiet_hours: QuietHours
    caps: dict[str, int]  # channel -> most messages per window
    cap_window_hours: int
    updated_by: str | None = None
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "contact_policy"


class OptOut(KeyedDocument):
    """The customer asked not to be contacted on a channel. `id` is "<customer>|<channel>"."""

    id: str
    customer_id: str
    channel: Channel
    reason: str | None = None
    recorded_by: str | None = None
    recorded_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "contact_opt_outs"
        indexes = [IndexModel([("customer_id", ASCENDING)])]


MODELS: tuple = (
    Device,
    Notification,
    Delivery,
    Preferences,
    MessageTemplate,
    ContactPolicy,
    OptOut,
)
