"""Billing as BSS keeps it, mirrored into DebtX: invoices, service plans, billing cycles,
customer groups and payment methods. DebtX never issues an invoice; every record's `_id`
is BSS's own id and `source_updated_at` is BSS's time of its last change, so an older
word from BSS never overwrites a newer one. Customers and accounts are the
`backend.customers` documents, extended with their BSS fields."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.core import clock
from backend.core.models import KeyedDocument
from backend.core.money import Money


class BssDocument(KeyedDocument):
    """A record kept as BSS sent it: BSS's id, and BSS's time of the version held."""

    id: str
    source_updated_at: datetime
    received_at: datetime = Field(default_factory=clock.now)


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    PAID = "paid"
    OVERDUE = "overdue"
    CANCELLED = "cancelled"


OPEN_STATUSES = (InvoiceStatus.PENDING, InvoiceStatus.OVERDUE)


class InvoiceCredit(BaseModel):
    """Money DebtX booked against one invoice from one receipt."""

    receipt_id: str
    invoice_id: str
    amount: Money
    credited_at: datetime = Field(default_factory=clock.now)


class Invoice(BssDocument):
    """An invoice BSS issued; `credited` is what DebtX booked against it (`credits`, one
    per receipt). Once BSS says it is paid or cancelled, that credit no longer counts."""

    account_id: str
    number: str
    amount: Money
    due_date: datetime  # midnight UTC of BSS's due day
    status: InvoiceStatus
    issued_on: datetime | None = None
    cycle_id: str | None = None
    plan_id: str | None = None
    credited: Money = Money.zero()
    credits: list[InvoiceCredit] = []

    class Settings:
        name = "invoices"
        indexes = [
            IndexModel([("account_id", ASCENDING), ("due_date", ASCENDING)]),
            IndexModel([("number", ASCENDING)]),
            IndexModel([("credits.receipt_id", ASCENDING)]),
            IndexModel([("due_date", ASCENDING), ("amount.amount", ASCENDING)]),
        ]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def owed(self) -> Money:
        """What is still owed on it: nothing once BSS closed it."""
        return (
            self.amount.minus(self.credited) if self.is_open else Money.zero(self.amount.currency)
        )


class AccountCredit(KeyedDocument):
    """What a receipt left over after its account's open invoices: credit on the account.
    `_id` is the receipt id, so a receipt leaves its remainder at most once."""

    id: str
    account_id: str
    amount: Money
    created_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "account_credits"
        indexes = [IndexModel([("account_id", ASCENDING)])]


class BillingFrequency(StrEnum):
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class CycleStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class BillingCycle(BssDocument):
    """A billing period BSS bills in."""

    name: str
    frequency: BillingFrequency = BillingFrequency.MONTHLY
    starts_on: datetime
    ends_on: datetime
    status: CycleStatus = CycleStatus.OPEN

    class Settings:
        name = "billing_cycles"


class ServicePlan(BssDocument):
    """A service plan (package) BSS bills for: its product type and recurring charge."""

    name: str
    product_type: str
    charge: Money
    frequency: BillingFrequency = BillingFrequency.MONTHLY
    active: bool = True

    class Settings:
        name = "service_plans"


class CustomerGroup(BssDocument):
    """A group of customers BSS bills alike (corporate, government, consumer...)."""

    name: str
    description: str | None = None

    class Settings:
        name = "customer_groups"


class PaymentMethodType(StrEnum):
    CARD = "card"
    BANK_ACCOUNT = "bank_account"
    MOBILE_MONEY = "mobile_money"
    CASH = "cash"
    DIRECT_DEBIT = "direct_debit"


class PaymentMethodStatus(StrEnum):
    ACTIVE = "active"
    EXPIRED = "expired"
    REMOVED = "removed"


class PaymentMethod(BssDocument):
    """How an account pays, as BSS holds it (only a masked hint, never a full number)."""

    account_id: str
    type: PaymentMethodType
    hint: str | None = None  # e.g. the last four digits, the wallet's number masked
    preferred: bool = False
    status: PaymentMethodStatus = PaymentMethodStatus.ACTIVE

    class Settings:
        name = "payment_methods"
        indexes = [IndexModel([("account_id", ASCENDING)])]


class FeedOrigin(StrEnum):
    FILE = "file"  # a feed file from the CLI or the operator API
    WEBHOOK = "webhook"  # pushed by BSS


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"  # the same word from BSS again
    STALE = "stale"  # older than what DebtX holds: kept the newer
    REFUSED = "refused"


class RowOutcome(BaseModel):
    """What became of one row (or pushed record): its BSS id and, if refused, why."""

    row: int
    kind: str | None = None
    id: str | None = None
    outcome: Outcome
    field: str | None = None
    reason: str | None = None


class FeedBatch(Document):
    """One feed file or webhook delivery taken in: counts and each row's outcome (capped)."""

    origin: FeedOrigin
    kind: str | None = None
    filename: str | None = None
    format: str | None = None
    rows: int = 0
    counts: dict[str, int] = {}
    outcomes: list[RowOutcome] = []
    outcomes_omitted: int = 0
    created_by: str | None = None
    started_at: datetime = Field(default_factory=clock.now)
    finished_at: datetime | None = None

    class Settings:
        name = "billing_feeds"
        indexes = [IndexModel([("started_at", DESCENDING)])]


MODELS = (
    Invoice,
    AccountCredit,
    BillingCycle,
    ServicePlan,
    CustomerGroup,
    PaymentMethod,
    FeedBatch,
)
