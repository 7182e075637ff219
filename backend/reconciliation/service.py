"""Daily reconciliation and the monthly account balance verification.

For a day (UTC), every transaction a provider reported that day is set beside every
other sighting of it (callbacks, statement lines, status queries, on any day), its
receipt, the payments booked from it and the invoice credits it made. Per provider the
report counts what matched and lists what did not: missing (in a statement with no
callback, reported by a callback but absent from the provider's statement, or never
booked), duplicated (twice in one statement, or booked twice), amounts that differ
between sources, callbacks and statement lines on different days, receipts in suspense,
and receipts booked to invoices for another amount. The database does the work
(repository.daily_figures); only the exceptions come back.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from backend.audit import service as audit
from backend.core.csvexport import Cell
from backend.core.money import major_text
from backend.core.settings import BankSettings
from backend.receipts.models import Provider
from backend.reconciliation import repository
from backend.reconciliation.errors import ReportNotFound, VerificationNotFound
from backend.reconciliation.models import (
    SECTIONS,
    BalanceDifference,
    BalanceVerification,
    DailyReport,
    Item,
    Kind,
    ProviderSection,
)
from backend.reconciliation.schemas import ReportRead, ReportSummary, Totals, VerificationRead
from backend.users.models import User

MAX_DIFFERENCES = 10_000
MAX_LISTED = 2_000  # exceptions listed per provider; the counts are of all
CSV_HEADER = (
    "day",
    "provider",
    "section",
    "kind",
    "transaction_id",
    "receipt_id",
    "receipt_status",
    "amounts",
    "statement_days",
    "callback_days",
    "sightings",
    "count",
)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


async def run_daily(*, day: date, settings: BankSettings, actor: User | None = None) -> ReportRead:
    """Reconcile one day and store its report (a run again replaces it)."""
    start, end = _midnight(day), _midnight(day + timedelta(days=1))
    reach = timedelta(days=settings.timing_window_days)
    figures = await repository.daily_figures(
        start=start,
        end=end,
        providers=[p.value for p in Provider],
        statement_providers=await repository.statement_providers(start - reach, end + reach),
        listed=MAX_LISTED,
    )
    report = DailyReport(
        id=day.isoformat(),
        providers=[_section(row) for row in figures],
        generated_by=actor.id if actor else None,
    )
    await repository.save_report(report)
    if actor is not None:
        await audit.record(
            actor=actor,
            action="reconciliation.run",
            entity_type="reconciliation_report",
            entity_id=str(report.id),
            after=_totals(report).model_dump(),
        )
    return read_of(report)


def _section(row: dict[str, Any]) -> ProviderSection:
    section = ProviderSection(
        provider=row["_id"],
        transactions=row["transactions"],
        matched=row["matched"],
        statement_lines=row["statement_lines"],
        callbacks=row["callbacks"],
        counts={name: row[f"n_{name}"] for name in SECTIONS},
    )
    for found in row["exceptions"]:
        for name, kinds in SECTIONS.items():
            for kind in (k for k in kinds if k.value in found["kinds"]):
                getattr(section, name).append(_item(found, kind))
    return section


def _item(found: dict[str, Any], kind: Kind) -> Item:
    return Item.model_validate(
        {**found, "kind": kind, "applied_to_invoices": found.get("applied_to_invoices")}
    )


def _totals(report: DailyReport) -> Totals:
    totals = Totals()
    for section in report.providers:
        totals.transactions += section.transactions
        totals.matched += section.matched
        for name in SECTIONS:
            shown = section.counts.get(name, len(getattr(section, name)))
            setattr(totals, name, getattr(totals, name) + shown)
    return totals


def read_of(report: DailyReport) -> ReportRead:
    return ReportRead(
        day=date.fromisoformat(str(report.id)),
        generated_at=report.generated_at,
        generated_by=report.generated_by,
        totals=_totals(report),
        providers=report.providers,
    )


async def get_report(*, day: date) -> ReportRead:
    """The stored report of one day."""
    report = await repository.report_of(day.isoformat())
    if report is None:
        raise ReportNotFound(f"no reconciliation report for {day.isoformat()}")
    return read_of(report)


async def latest_reports(*, limit: int) -> list[ReportSummary]:
    """The latest days reconciled, newest first, with their totals."""
    return [
        ReportSummary(day=r.day, generated_at=r.generated_at, totals=r.totals)
        for r in map(read_of, await repository.latest_reports(limit))
    ]


async def provider_days(*, first: date, last: date) -> list[dict[str, Any]]:
    """Per day reconciled in [first, last] and provider: transactions, matched, statement
    lines, callbacks and the count of each section (`SECTIONS`)."""
    rows = await repository.provider_days(first.isoformat(), last.isoformat())
    return [
        {**row, **{name: row.get("counts", {}).get(name, 0) for name in SECTIONS}} for row in rows
    ]


def _money_text(item: Item) -> str:
    return "; ".join(f"{m.currency} {major_text(m.amount)}" for m in item.amounts)


def csv_rows(report: ReportRead) -> Iterator[list[Cell]]:
    """The report as CSV rows: per provider its counts, then each exception."""
    day = report.day.isoformat()
    for section in report.providers:
        for name in ("transactions", "matched"):
            count = getattr(section, name)
            yield [day, section.provider, "summary", name, *[None] * 7, count]
        for name in SECTIONS:
            for item in getattr(section, name):
                yield [
                    day,
                    section.provider,
                    name,
                    item.kind.value,
                    item.transaction_id,
                    item.receipt_id,
                    item.receipt_status,
                    _money_text(item),
                    " ".join(item.statement_days),
                    " ".join(item.callback_days),
                    item.sightings,
                    None,
                ]


# --------------------------------------------------------------------------- monthly


async def verify_balances(*, month: str, actor: User | None = None) -> VerificationRead:
    """Each account's DebtX balance against BSS's latest figures; those that differ."""
    checked, rows = await repository.balance_figures(limit=MAX_DIFFERENCES + 1)
    differing = [_difference(row) for row in rows[:MAX_DIFFERENCES]]
    verification = BalanceVerification(
        id=month,
        accounts_checked=checked,
        differing=differing,
        truncated=len(rows) > MAX_DIFFERENCES,
        generated_by=actor.id if actor else None,
    )
    await repository.save_verification(verification)
    if actor is not None:
        await audit.record(
            actor=actor,
            action="reconciliation.verify_balances",
            entity_type="balance_verification",
            entity_id=month,
            after={"checked": checked, "differing": len(differing)},
        )
    return verification_read(verification)


def _difference(row: dict[str, Any]) -> BalanceDifference:
    return BalanceDifference(
        account_id=row["_id"]["account"],
        currency=row["_id"]["currency"],
        bss_balance=row["bss"],
        debtx_balance=row["debtx"],
        credited=row["credited"],
        account_credit=row["account_credit"],
        case_payments=row["case_payments"],
        difference=row["bss"] - row["debtx"],
    )


def verification_read(verification: BalanceVerification) -> VerificationRead:
    return VerificationRead(
        month=str(verification.id),
        generated_at=verification.generated_at,
        generated_by=verification.generated_by,
        accounts_checked=verification.accounts_checked,
        truncated=verification.truncated,
        differing=verification.differing,
    )


async def get_verification(*, month: str) -> VerificationRead:
    """The stored verification of one month."""
    found = await repository.verification_of(month)
    if found is None:
        raise VerificationNotFound(f"no balance verification for {month}")
    return verification_read(found)


def previous_month(today: date) -> str:
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
