from __future__ import annotations

import hashlib
from datetime import datetime
from enum import StrEnum
from typing import Any

from beanie import Insert, Replace, Save, before_event
from pydantic import BaseModel, Field, model_validator
from pymongo import ASCENDING, IndexModel

from backend.core import clock, pii
from backend.core.models import KeyedDocument
from backend.core.money import Money
from backend.core.pii import Pii


class ContactKind(StrEnum):
    MOBILE = "mobile"
    LANDLINE = "landline"
    EMAIL = "email"
    ADDRESS = "address"


class Language(StrEnum):
    ENGLISH = "en"
    SINHALA = "si"
    TAMIL = "ta"


def derived_contact_id(kind: str, value: str) -> str:
    """A stable id for a contact stored without one (it must not change between reads)."""
    return hashlib.sha1(f"{kind}|{value}".encode(), usedforsecurity=False).hexdigest()[:12]


class Contact(BaseModel):
    """One way to reach the customer; `id` stays the same when the value is corrected."""

    id: str
    kind: ContactKind
    value: Pii
    primary: bool = False
    verified: bool = False
    source: str = "bss"
    updated_at: datetime = Field(default_factory=clock.now)
    updated_by: str | None = None
    # The customer version that last changed `value` / `primary` (offline edits merge on them)
    value_version: int = 0
    primary_version: int = 0

    @model_validator(mode="before")
    @classmethod
    def _stable_id(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("id") and "kind" in data and "value" in data:
            return {**data, "id": derived_contact_id(str(data["kind"]), str(data["value"]))}
        return data


class Dispute(BaseModel):
    """A hold on collection contact: the customer disputes the debt (`debt`, opened by
    operator staff or raised to an officer) or a bill or payment (`billing_disputes`, the
    open disputes of backend/disputes). It lifts when neither remains."""

    reason: str
    opened_at: datetime = Field(default_factory=clock.now)
    opened_by: str | None = None
    debt: bool = True
    billing_disputes: list[str] = []


class Customer(KeyedDocument):
    """A telecom customer as billing knows them. `id` is the CRM customer reference."""

    id: str
    name: str
    nic: Pii | None = None
    region: str | None = None
    address: Pii | None = None
    language: Language = Language.ENGLISH
    time_zone: str = "Asia/Colombo"
    contacts: list[Contact] = []
    dispute: Dispute | None = None
    group_id: str | None = None  # BSS's customer group
    source_updated_at: datetime | None = None  # BSS's time of its last word on the customer
    version: int = 1
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)
    # keyed hashes (pii.index) lookups match: of the phones and emails, and of the
    # national id (apart, as BSS rewrites it without the contacts)
    search_keys: list[str] = []
    nic_key: str | None = None

    # set when retention replaced the name, national id, address and contact values
    minimised_at: datetime | None = None

    class Settings:
        name = "customers"
        bson_encoders = pii.SEALING

    @before_event(Insert, Replace, Save)
    def _before_write(self) -> None:
        """Beanie's own writes: mark the personal values for its encoder to seal, hash."""
        pii.mark(self)
        self.index_for_search()

    def index_for_search(self) -> None:
        """Hash what a lookup may match, from the values about to be stored."""
        keys = [pii.index(_SEARCHED[c.kind], c.value) for c in self.contacts if c.kind in _SEARCHED]
        self.search_keys = list(dict.fromkeys(keys))
        self.nic_key = pii.index("nic", nic_form(self.nic)) if self.nic else None

    def stored(self) -> dict[str, Any]:
        """The document as written: personal values sealed, search hashes fresh (pydantic's
        dump and three explicit fields: Beanie's encoder costs ~15x more per customer)."""
        self.index_for_search()
        document = self.model_dump(mode="python", by_alias=True, exclude={"revision_id"})
        for name in ("nic", "address"):
            if document[name] is not None:
                document[name] = pii.seal(document[name])
        document["contacts"] = stored_contacts(self.contacts)
        return document


def stored_contacts(contacts: list[Contact]) -> list[dict[str, Any]]:
    """Contacts as written, their values sealed."""
    return [{**c.model_dump(mode="python"), "value": pii.seal(c.value)} for c in contacts]


_SEARCHED = {
    ContactKind.MOBILE: "phone",
    ContactKind.LANDLINE: "phone",
    ContactKind.EMAIL: "email",
}


def nic_form(nic: str) -> str:
    """A national id as it is compared: letters upper case, no spaces."""
    return "".join(nic.split()).upper()


class ProductStatus(StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"
    DISCONNECTED = "disconnected"


class CpeItem(BaseModel):
    """Equipment at the customer's premises that belongs to the operator."""

    serial: str
    model: str
    type: str


class Product(BaseModel):
    id: str
    type: str
    status: ProductStatus = ProductStatus.ACTIVE
    arrears: Money = Money.zero()
    cpe: list[CpeItem] = []


class Account(KeyedDocument):
    """A billing account with its products. `id` is the BSS account number."""

    id: str
    customer_id: str
    region: str | None = None
    products: list[Product] = []
    plan_id: str | None = None  # BSS's service plan
    cycle_id: str | None = None  # BSS's billing cycle
    source_updated_at: datetime | None = None  # BSS's time of its last word on the account
    version: int = 1
    created_at: datetime = Field(default_factory=clock.now)
    updated_at: datetime = Field(default_factory=clock.now)

    class Settings:
        name = "accounts"
        indexes = [IndexModel([("customer_id", ASCENDING)])]

    def product(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.id == product_id), None)


MODELS = (Customer, Account)
