"""Bank statement files, each imported once (keyed by the SHA-256 of its content), with
what became of each of its lines."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field
from pymongo import ASCENDING, DESCENDING, IndexModel

from backend.banking.parsing import StatementFormat
from backend.core import clock
from backend.core.money import Money


class ImportStatus(StrEnum):
    IMPORTING = "importing"  # its lines are being handed over, one at a time
    IMPORTED = "imported"


class StatementOrigin(StrEnum):
    FETCHED = "fetched"  # from the bank's statement endpoint, by the schedule
    UPLOADED = "uploaded"  # by operator staff


class LineOutcome(StrEnum):
    BOOKED = "booked"
    SUSPENSE = "suspense"
    REFUNDED = "refunded"
    DEBIT = "debit"  # money going out of the account: not a payment, not handed over


class StatementLineRead(BaseModel):
    """One line of an imported statement and the receipt it went to."""

    line: int
    transaction_id: str
    amount: Money
    credit: bool
    booking_date: date
    reference: str | None
    outcome: LineOutcome
    receipt_id: str | None = None
    sightings: int | None = None  # how often the provider has reported this transaction


class BankStatement(Document):
    """One statement file. `_id` is the SHA-256 of its bytes, so the same file imported
    again (fetched twice, uploaded after it was fetched) is found, not imported."""

    id: str  # type: ignore[assignment]
    filename: str
    format: StatementFormat
    origin: StatementOrigin
    remote_id: str | None = None  # the bank endpoint's id for a fetched file
    bank_statement_id: str | None = None  # camt.053 Stmt/Id
    size: int
    line_count: int
    status: ImportStatus = ImportStatus.IMPORTING
    lines: list[StatementLineRead] = []
    counts: dict[LineOutcome, int] = {}
    imported_by: str | None = None
    started_at: datetime = Field(default_factory=clock.now)
    touched_at: datetime = Field(default_factory=clock.now)  # its last line handed over
    imported_at: datetime | None = None

    class Settings:
        name = "bank_statements"
        indexes = [
            IndexModel([("started_at", DESCENDING)]),
            IndexModel([("remote_id", ASCENDING)]),
            IndexModel([("status", ASCENDING), ("started_at", ASCENDING)]),
        ]


MODELS = (BankStatement,)
