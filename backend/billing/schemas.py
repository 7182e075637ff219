"""BSS's records as they arrive (a feed row or a pushed record), and the API's shapes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from backend.billing.models import (
    BillingFrequency,
    CycleStatus,
    FeedOrigin,
    InvoiceStatus,
    Outcome,
    PaymentMethodStatus,
    PaymentMethodType,
    RowOutcome,
)
from backend.core.money import Currency, Money, major_units
from backend.core.schemas import Day, Timestamp
from backend.customers.models import Language
from backend.customers.schemas import Ref
from backend.users.schemas import TRIMMED

Text = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=TRIMMED)]
LongText = Annotated[str, StringConstraints(min_length=1, max_length=500, pattern=TRIMMED)]
Hint = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9*+ ._-]{1,32}$")]
InvoiceNumber = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/#-]{0,63}$")]
MajorAmount = Annotated[int, BeforeValidator(major_units)]


class BssRecord(BaseModel):
    """What every BSS record carries: its BSS id and BSS's time of its last change."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Ref
    updated_at: Timestamp  # BSS's own time of this version: the newest one wins


class CustomerRecord(BssRecord):
    kind: Literal["customer"] = "customer"
    name: Text
    nic: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9/-]{4,20}$")] | None = None
    region: Text | None = None
    address: LongText | None = None
    language: Language | None = None
    group_id: Ref | None = None


class AccountRecord(BssRecord):
    kind: Literal["account"] = "account"
    customer_id: Ref
    region: Text | None = None
    plan_id: Ref | None = None
    cycle_id: Ref | None = None


class InvoiceRecord(BssRecord):
    kind: Literal["invoice"] = "invoice"
    account_id: Ref
    number: InvoiceNumber
    amount: MajorAmount  # major units as a decimal, at most two places: "1250.50"
    currency: Currency = "LKR"
    due_date: Day
    status: InvoiceStatus
    issued_on: Day | None = None
    cycle_id: Ref | None = None
    plan_id: Ref | None = None


class PlanRecord(BssRecord):
    kind: Literal["plan"] = "plan"
    name: Text
    product_type: Text
    charge: MajorAmount
    currency: Currency = "LKR"
    frequency: BillingFrequency = BillingFrequency.MONTHLY
    active: bool = True


class CycleRecord(BssRecord):
    kind: Literal["cycle"] = "cycle"
    name: Text
    frequency: BillingFrequency = BillingFrequency.MONTHLY
    starts_on: Day
    ends_on: Day
    status: CycleStatus = CycleStatus.OPEN


class GroupRecord(BssRecord):
    kind: Literal["group"] = "group"
    name: Text
    description: LongText | None = None


class PaymentMethodRecord(BssRecord):
    kind: Literal["payment_method"] = "payment_method"
    account_id: Ref
    type: PaymentMethodType
    hint: Hint | None = None
    preferred: bool = False
    status: PaymentMethodStatus = PaymentMethodStatus.ACTIVE


AnyRecord = Annotated[
    CustomerRecord
    | AccountRecord
    | InvoiceRecord
    | PlanRecord
    | CycleRecord
    | GroupRecord
    | PaymentMethodRecord,
    Field(discriminator="kind"),
]
RECORDS: dict[str, type[BssRecord]] = {
    "customer": CustomerRecord,
    "account": AccountRecord,
    "invoice": InvoiceRecord,
    "plan": PlanRecord,
    "cycle": CycleRecord,
    "group": GroupRecord,
    "payment_method": PaymentMethodRecord,
}
Kind = Literal["customer", "account", "invoice", "plan", "cycle", "group", "payment_method"]


class WebhookBody(BaseModel):
    """BSS's push: records of any kind, each taken or refused on its own."""

    model_config = ConfigDict(extra="forbid")

    records: list[dict] = Field(min_length=1)


class FeedSummary(BaseModel):
    """A feed file or push taken in: its counts per outcome."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    origin: FeedOrigin
    kind: str | None
    filename: str | None
    format: str | None
    rows: int
    counts: dict[Outcome, int]
    started_at: datetime
    finished_at: datetime | None


class FeedRead(FeedSummary):
    """A feed's report: its counts and each row's outcome (refused ones with the reason)."""

    outcomes: list[RowOutcome]
    outcomes_omitted: int


class InvoiceCreditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    receipt_id: str
    amount: Money
    credited_at: datetime


class InvoiceRead(BaseModel):
    """An invoice as BSS sent it, with what DebtX credited on it and what is still owed."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    account_id: str
    number: str
    amount: Money
    due_date: date
    status: InvoiceStatus
    issued_on: date | None
    cycle_id: str | None
    plan_id: str | None
    credited: Money
    owed: Money
    credits: list[InvoiceCreditRead]
    source_updated_at: datetime


class PaymentMethodRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    type: PaymentMethodType
    hint: str | None
    preferred: bool
    status: PaymentMethodStatus


class BalanceRead(BaseModel):
    owed: list[Money]
    arrears: list[Money]
    unapplied: list[Money]  # receipts' remainders left on the account
    days_past_due: int
    oldest_overdue_due_date: date | None
    unpaid_count: int
    invoice_count: int


class BillingAccountRead(BaseModel):
    """A billing account's balance by its invoices, and the invoices, oldest due first."""

    account_id: str
    customer_id: str | None
    plan_id: str | None
    cycle_id: str | None
    balance: BalanceRead
    invoices: list[InvoiceRead]
    payment_methods: list[PaymentMethodRead]
