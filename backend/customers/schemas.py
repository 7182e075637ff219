from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.core.money import Money
from backend.core.schemas import NOT_BLANK, JsonNumber, RequestModel, StrictBool, omittable
from backend.customers.models import ContactKind, CpeItem, Dispute, Language, ProductStatus

# Ids from the operator's systems (CRM customer, BSS account and product). No "|":
# it separates the parts of an open-case key.
REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"
Ref = Annotated[str, StringConstraints(pattern=REF_PATTERN)]
ContactId = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{12}$")]
ContactValue = Annotated[str, StringConstraints(min_length=1, max_length=300)]
Version = Annotated[int, Field(ge=1, le=2**31 - 1), JsonNumber]


class ContactRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    kind: ContactKind
    value: str
    primary: bool
    verified: bool
    source: str
    updated_at: datetime
    updated_by: str | None


class ProductRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    type: str
    status: ProductStatus
    arrears: Money
    cpe: list[CpeItem]


class AccountRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    customer_id: str
    region: str | None
    products: list[ProductRead]
    updated_at: datetime


class CustomerRead(BaseModel):
    """A customer with their contacts and billing accounts."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    nic: str | None
    region: str | None
    address: str | None
    language: Language
    time_zone: str
    contacts: list[ContactRead]
    dispute: Dispute | None = None
    accounts: list[AccountRead]
    version: int
    created_at: datetime
    updated_at: datetime


class DisputeOpen(RequestModel):
    """Operator staff record that the customer disputes the debt, and why."""

    reason: Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=NOT_BLANK)]


class ContactAdd(RequestModel):
    """Record a new contact. The first contact of its kind becomes primary."""

    op: Literal["add"]
    kind: ContactKind
    value: ContactValue
    primary: StrictBool = False


class ContactEdit(RequestModel):
    """Correct a contact's value or make it (or stop it being) the primary of its kind."""

    op: Literal["update"]
    id: ContactId
    value: ContactValue = omittable()
    primary: StrictBool = omittable()


class ContactRemove(RequestModel):
    """Remove one contact; nothing is ever removed except by naming it here."""

    op: Literal["remove"]
    id: ContactId


ContactChange = Annotated[ContactAdd | ContactEdit | ContactRemove, Field(discriminator="op")]


class ContactsUpdate(RequestModel):
    """Changes to a customer's contacts, applied in order against `base_version`."""

    base_version: Version
    changes: list[ContactChange] = Field(min_length=1, max_length=20)


# What intake knows about a customer and an account; merged into what is stored.


class CustomerFacts(BaseModel):
    id: str
    name: str
    nic: str | None = None
    region: str | None = None
    address: str | None = None
    language: Language | None = None
    contacts: list[tuple[ContactKind, str]] = []  # already normalised


class ProductFacts(BaseModel):
    id: str
    type: str
    status: ProductStatus = ProductStatus.ACTIVE
    arrears: Money | None = None  # None: keep what is stored
    cpe: list[CpeItem] = []


class AccountFacts(BaseModel):
    id: str
    customer_id: str
    region: str | None = None
    products: list[ProductFacts]


class CustomerRecord(BaseModel):
    """One customer and one of their accounts, as an incident brings them in."""

    customer: CustomerFacts
    account: AccountFacts


class UpsertSummary(BaseModel):
    customers_created: list[str] = []
    customers_updated: list[str] = []
    accounts_created: list[str] = []
    accounts_updated: list[str] = []
