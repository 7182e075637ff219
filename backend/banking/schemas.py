from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field, field_validator

from backend.banking.models import ImportStatus, LineOutcome, StatementLineRead, StatementOrigin
from backend.banking.parsing import StatementFormat


class StatementRead(BaseModel):
    """An imported statement file and what became of each of its lines."""

    id: str  # the SHA-256 of the file
    filename: str
    format: StatementFormat
    origin: StatementOrigin
    bank_statement_id: str | None
    status: ImportStatus
    line_count: int
    counts: dict[LineOutcome, int]
    started_at: datetime
    imported_at: datetime | None
    already_imported: bool = False  # this file was imported before: nothing was done now
    lines: list[StatementLineRead]


class StatementSummary(BaseModel):
    id: str
    filename: str
    format: StatementFormat
    origin: StatementOrigin
    status: ImportStatus
    line_count: int
    counts: dict[LineOutcome, int]
    started_at: datetime
    imported_at: datetime | None


class FetchReport(BaseModel):
    """One run of the scheduled fetch: files the bank listed, imported now (their ids),
    refused as unreadable (the bank's file ids), and known before."""

    listed: int
    imported: list[str]
    refused: list[str]
    known: int


class BankNotification(BaseModel):
    """The bank's payment notification: one transaction on the collection account. Fields
    the bank adds are ignored (the signature covers them all the same)."""

    notification_id: str = Field(min_length=1, max_length=100)
    transaction_id: str = Field(min_length=1, max_length=100)
    amount: str = Field(pattern=r"^[0-9]{1,11}(\.[0-9]{1,2})?$", description="major units")
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    credit_debit: Literal["CRDT", "DBIT"]
    booked_at: AwareDatetime
    reference: str | None = Field(default=None, max_length=140)
    counterparty: str | None = Field(default=None, max_length=140)

    @field_validator("amount")
    @classmethod
    def _not_zero(cls, value: str) -> str:
        if not value.strip("0."):
            raise ValueError("the amount is zero")
        return value


class NotificationAccepted(BaseModel):
    notification_id: str
    transaction_id: str
    outcome: LineOutcome
    receipt_id: str | None
    sightings: int | None
