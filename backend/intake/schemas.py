from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.cases.models import Action
from backend.core.money import Money
from backend.core.schemas import RequestModel
from backend.customers.models import Language, ProductStatus
from backend.customers.schemas import ContactValue, Ref
from backend.intake.models import BatchStatus, IncidentSource, RowProblem
from backend.intake.rows import ExternalRef, IsoDate, Name, Nic, Serial, Text

Filename = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=r"^[^/\\]+$")]


class CpeItemIn(RequestModel):
    serial: Serial
    model: Text
    type: Text


class ProductIn(RequestModel):
    id: Ref
    type: Text
    status: ProductStatus = ProductStatus.ACTIVE
    arrears: Money | None = None
    cpe: list[CpeItemIn] = Field(default_factory=list, max_length=20)


class CustomerIn(RequestModel):
    """The customer as CRM knows them; contacts given here are added, never replaced."""

    id: Ref
    name: Name
    nic: Nic | None = None
    region: Text | None = None
    address: ContactValue | None = None
    language: Language | None = None
    mobile: ContactValue | None = None
    landline: ContactValue | None = None
    email: ContactValue | None = None


class IncidentCreate(RequestModel):
    """One incident: an account, what to recover, and its products.

    `arrears` defaults to the sum of the products' arrears; when both are given they
    must agree. `external_ref` is the reference in the source system, if any.
    """

    external_ref: ExternalRef | None = None
    action: Action
    account_id: Ref
    customer: CustomerIn
    products: list[ProductIn] = Field(min_length=1, max_length=100)
    arrears: Money | None = None
    overdue_since: IsoDate


class IncidentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    source: IncidentSource
    external_ref: str
    action: Action
    account_id: str
    customer_id: str
    customer_name: str
    product_ids: list[str]
    arrears: Money
    overdue_since: date
    case_id: str | None
    created_by: str | None
    batch_id: str | None
    row: int | None
    created_at: datetime


class BatchSummary(BaseModel):
    """A bulk file's import: counts of rows by what became of them."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    source: IncidentSource
    filename: str | None
    format: str
    sha256: str | None
    size_bytes: int
    status: BatchStatus
    expected_rows: int | None = Field(
        description="Rows the file holds, when counted before the import (progress: rows of this)"
    )
    rows: int
    accepted: int
    duplicates: int
    rejected: int
    incidents_created: int
    same_as: str | None
    created_by: str | None
    started_at: datetime
    finished_at: datetime | None


class BatchRead(BatchSummary):
    """The batch report: counts, refused rows with reasons, and duplicate rows."""

    problems: list[RowProblem]
    problems_omitted: int
    duplicate_rows: list[RowProblem]
    duplicate_rows_omitted: int
    error: str | None
