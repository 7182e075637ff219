"""The daily reconciliation report and the monthly account balance verification, each
stored as one document per day or month (run again, it is replaced)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from beanie import Document
from pydantic import BaseModel, Field

from backend.core import clock
from backend.core.money import Money


class Kind(StrEnum):
    """What is wrong with a transaction (it may show several)."""

    NOT_IN_CALLBACKS = "not_in_callbacks"  # in a statement, but no callback reported it
    NOT_IN_STATEMENT = "not_in_statement"  # reported by a callback, absent from the statement
    NOT_BOOKED = "not_booked"  # a provider record with no receipt
    TWICE_IN_STATEMENT = "twice_in_statement"  # the same transaction twice in one statement
    BOOKED_TWICE = "booked_twice"  # more than one payment for it: must never happen
    AMOUNT_MISMATCH = "amount_mismatch"  # the sources give different amounts
    TIMING = "timing"  # the callback and the statement line are on different days
    SUSPENSE = "suspense"  # its receipt waits for staff to match or refund it
    INVOICE_DIFFERENCE = "invoice_difference"  # booked to invoices, but not for its amount


SECTIONS: dict[str, tuple[Kind, ...]] = {
    "missing": (Kind.NOT_IN_CALLBACKS, Kind.NOT_IN_STATEMENT, Kind.NOT_BOOKED),
    "duplicated": (Kind.TWICE_IN_STATEMENT, Kind.BOOKED_TWICE),
    "amount_mismatches": (Kind.AMOUNT_MISMATCH,),
    "timing_differences": (Kind.TIMING,),
    "suspense": (Kind.SUSPENSE,),
    "invoice_differences": (Kind.INVOICE_DIFFERENCE,),
}


class Item(BaseModel):
    """One transaction that did not reconcile, and what its sources say."""

    transaction_id: str
    kind: Kind
    receipt_id: str | None = None
    receipt_status: str | None = None
    amounts: list[Money] = []  # every amount its sightings gave
    statement_ids: list[str] = []  # one entry per statement line (a repeat is a duplicate)
    statement_days: list[str] = []
    callback_days: list[str] = []
    sightings: int = 0
    applied_to_invoices: int | None = None  # minor units credited to invoices or the account


class ProviderSection(BaseModel):
    provider: str
    transactions: int  # seen on the day
    matched: int  # booked, and every source agrees
    statement_lines: int
    callbacks: int  # callbacks and status queries
    counts: dict[str, int] = {}  # per section, every transaction in it (even beyond those listed)
    missing: list[Item] = []
    duplicated: list[Item] = []
    amount_mismatches: list[Item] = []
    timing_differences: list[Item] = []
    suspense: list[Item] = []
    invoice_differences: list[Item] = []


class DailyReport(Document):
    """The reconciliation of one day (UTC), `_id` the day as YYYY-MM-DD."""

    id: str  # type: ignore[assignment]
    providers: list[ProviderSection] = []
    generated_at: datetime = Field(default_factory=clock.now)
    generated_by: str | None = None  # None: the schedule

    class Settings:
        name = "reconciliation_reports"


class BalanceDifference(BaseModel):
    """An account whose balance in DebtX differs from BSS's latest figures, in one
    currency; every figure in minor units (DebtX's may be below zero: paid beyond)."""

    account_id: str
    currency: str
    bss_balance: int  # open invoices, as BSS last reported them
    debtx_balance: int  # those less what DebtX booked since BSS's last word
    credited: int  # credited by DebtX to those invoices
    account_credit: int  # receipts' leftovers on the account
    case_payments: int  # booked on the account's case since BSS's last invoice change
    difference: int  # bss_balance - debtx_balance


class BalanceVerification(Document):
    """The monthly account balance verification, `_id` the month as YYYY-MM."""

    id: str  # type: ignore[assignment]
    accounts_checked: int  # (account, currency) pairs with invoices
    differing: list[BalanceDifference] = []
    truncated: bool = False  # more differ than are listed
    generated_at: datetime = Field(default_factory=clock.now)
    generated_by: str | None = None

    class Settings:
        name = "balance_verifications"


MODELS = (DailyReport, BalanceVerification)
