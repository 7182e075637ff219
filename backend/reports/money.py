"""Money in: payment trends by channel, commission by DRC and month, and the daily
reconciliation summed up per day and provider."""

from __future__ import annotations

from backend.commission import service as commission
from backend.commission.models import EntryKind
from backend.payments import service as payments
from backend.reconciliation import service as reconciliation
from backend.reconciliation.models import SECTIONS
from backend.reports.registry import Built, Context, by_key, columns, report
from backend.reports.schemas import Cell, Chart, ReportName


@report(
    ReportName.PAYMENT_TRENDS,
    "Payment trends by channel",
    "Payments standing (not reversed) paid in the window per day, ISO week or month, by "
    "the channel they came through, per currency.",
)
async def payment_trends(ctx: Context) -> Built:
    found = await payments.trends(
        reach=ctx.reach, since=ctx.start, until=ctx.end, period=ctx.filters.period.value
    )
    keyed = by_key(found, "period", "channel", "currency")
    rows: list[dict[str, Cell]] = [
        {
            "period": period,
            "channel": channel,
            "currency": currency,
            "payments": keyed[(period, channel, currency)]["payments"],
            "amount": keyed[(period, channel, currency)]["amount"],
        }
        for period, channel, currency in sorted(keyed)
    ]
    spec = columns(
        ("period", "Period", "text"),
        ("channel", "Channel", "text"),
        ("currency", "Currency", "text"),
        ("payments", "Payments", "count"),
        ("amount", "Amount", "money"),
    )
    return Built(spec, rows, Chart(kind="line", label="period", values=["amount"]))


@report(
    ReportName.COMMISSION,
    "Commission by DRC and month",
    "Commission booked in the window's months per DRC: earnings, clawbacks and the net.",
)
async def commission_by_month(ctx: Context) -> Built:
    found = await commission.totals_by_drc_month(
        drc_id=ctx.reach.drc_id, first=f"{ctx.start:%Y-%m}", last=f"{ctx.end:%Y-%m}"
    )
    keyed = by_key(found, "drc_id", "month", "currency", "kind")
    rows: list[dict[str, Cell]] = []
    for drc_id, month, currency in sorted({key[:3] for key in keyed}):
        earned = keyed.get((drc_id, month, currency, EntryKind.EARNING.value), {})
        clawed = keyed.get((drc_id, month, currency, EntryKind.CLAWBACK.value), {})
        rows.append(
            {
                "drc": ctx.name_of(drc_id),
                "month": month,
                "currency": currency,
                "entries": earned.get("n", 0) + clawed.get("n", 0),
                "earned": earned.get("amount", 0),
                "clawed_back": clawed.get("amount", 0),
                "net": earned.get("amount", 0) - clawed.get("amount", 0),
            }
        )
    spec = columns(
        ("drc", "DRC", "text"),
        ("month", "Month", "text"),
        ("currency", "Currency", "text"),
        ("entries", "Entries", "count"),
        ("earned", "Earned", "money"),
        ("clawed_back", "Clawed back", "money"),
        ("net", "Net", "money"),
    )
    return Built(spec, rows, Chart(kind="bar", label="month", values=["net"]))


@report(
    ReportName.RECONCILIATION,
    "Reconciliation summary",
    "Each day reconciled in the window, per provider: transactions seen, matched, "
    "statement lines and callbacks, and how many were missing, duplicated, of another "
    "amount, on another day, in suspense, or booked to invoices for another amount.",
    operator_only=True,
)
async def reconciliation_summary(ctx: Context) -> Built:
    found = await reconciliation.provider_days(first=ctx.filters.from_day, last=ctx.filters.to_day)
    keys = ("day", "provider", "transactions", "matched", "statement_lines", "callbacks")
    rows: list[dict[str, Cell]] = [{key: row[key] for key in (*keys, *SECTIONS)} for row in found]
    spec = columns(
        ("day", "Day", "text"),
        ("provider", "Provider", "text"),
        ("transactions", "Transactions", "count"),
        ("matched", "Matched", "count"),
        ("statement_lines", "Statement lines", "count"),
        ("callbacks", "Callbacks", "count"),
        ("missing", "Missing", "count"),
        ("duplicated", "Duplicated", "count"),
        ("amount_mismatches", "Amount mismatches", "count"),
        ("timing_differences", "Timing differences", "count"),
        ("suspense", "In suspense", "count"),
        ("invoice_differences", "Invoice differences", "count"),
    )
    return Built(spec, rows, Chart(kind="bar", label="day", values=["matched", "missing"]))
