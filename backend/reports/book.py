"""The open book: aging of receivables, its largest balances, and roll rates between
age buckets month over month (from the daily snapshots)."""

from __future__ import annotations

from datetime import datetime

from backend.cases import service as cases
from backend.core.money import DEFAULT_CURRENCY
from backend.performance.service import rate_bp
from backend.reports import snapshots
from backend.reports.registry import Built, Context, columns, report
from backend.reports.schemas import Cell, Chart, ReportName
from backend.reports.snapshots import BUCKETS

BUCKET_NAMES = ("current", "1-30", "31-60", "61-90", "91-180", "180+")
CLOSED = "closed"  # a roll out of the open book
DETAIL_ROWS = 200


def bucket_name(band: int | None) -> str:
    return CLOSED if band is None else BUCKET_NAMES[band]


@report(
    ReportName.AGING,
    "Aging of receivables",
    "Open cases and their outstanding by days past due, per currency: as of now when the "
    "window ends today, else as of the last daily snapshot on or before its last day.",
)
async def aging(ctx: Context) -> Built:
    as_of: str | None = "now"
    if ctx.filters.to_day < ctx.now.date():
        as_of, found = await snapshots.aging_on(reach=ctx.reach, last_day=f"{ctx.filters.to_day}")
    else:
        found = await cases.open_by_age_and_currency(ctx.reach, BUCKETS, ctx.now)
    currencies = sorted({currency for _, currency in found}) or [DEFAULT_CURRENCY]
    rows: list[dict[str, Cell]] = []
    for currency in currencies if as_of else []:
        total = sum(n for (_, c), (n, _) in found.items() if c == currency)
        for band, name in enumerate(BUCKET_NAMES):
            n, owed = found.get((band, currency), (0, 0))
            share = rate_bp(n, total)
            rows.append(_aging_row(name, currency, n, share, owed, as_of))
    spec = columns(
        ("bucket", "Days past due", "text"),
        ("currency", "Currency", "text"),
        ("cases", "Cases", "count"),
        ("share", "Share of cases", "rate"),
        ("outstanding", "Outstanding", "money"),
        ("as_of", "As of", "text"),
    )
    return Built(spec, rows, Chart(kind="bar", label="bucket", values=["cases"]))


def _aging_row(
    bucket: str, currency: str, cases_n: int, share: int, owed: int, as_of: str | None
) -> dict[str, Cell]:
    return {
        "bucket": bucket,
        "currency": currency,
        "cases": cases_n,
        "share": share,
        "outstanding": owed,
        "as_of": as_of,
    }


@report(
    ReportName.AGING_DETAIL,
    "Largest open balances",
    f"The {DETAIL_ROWS} open cases owing most, with their customer and days past due.",
)
async def aging_detail(ctx: Context) -> Built:
    rows: list[dict[str, Cell]] = []
    for case in await cases.largest_open(reach=ctx.reach, limit=DETAIL_ROWS):
        days = _days_past_due(case.get("overdue_since"), ctx.now)
        band = next((i for i, top in enumerate(BUCKETS) if days <= top), len(BUCKETS))
        rows.append(
            {
                "case_id": str(case["_id"]),
                "customer": case["customer_name"],
                "account": case["account_id"],
                "drc": case.get("drc_id"),
                "days": days,
                "bucket": BUCKET_NAMES[band],
                "currency": case["outstanding"]["currency"],
                "outstanding": case["outstanding"]["amount"],
            }
        )
    spec = columns(
        ("case_id", "Case", "text"),
        ("customer", "Customer", "text"),
        ("account", "Account", "text"),
        ("drc", "DRC", "text"),
        ("days", "Days past due", "count"),
        ("bucket", "Bucket", "text"),
        ("currency", "Currency", "text"),
        ("outstanding", "Outstanding", "money"),
    )
    return Built(spec, rows)


def _days_past_due(since: datetime | None, now: datetime) -> int:
    if since is None:
        return 0
    return max((now.replace(tzinfo=None) - since.replace(tzinfo=None)).days, 0)


@report(
    ReportName.ROLL_RATES,
    "Roll rates",
    "Of the open cases in each bucket at a month's last snapshot, the share in each bucket "
    "(or closed) at the next month's; the share rolling to current is the cure rate.",
)
async def roll_rates(ctx: Context) -> Built:
    targets = [*BUCKET_NAMES, CLOSED]
    rows: list[dict[str, Cell]] = []
    for month, next_month, counts in await snapshots.rolls(
        reach=ctx.reach, start=ctx.start, end=ctx.end
    ):
        for band, name in enumerate(BUCKET_NAMES):
            moved = {bucket_name(to): n for (origin, to), n in counts.items() if origin == band}
            total = sum(moved.values())
            if not total:
                continue
            row: dict[str, Cell] = {"month": month, "next": next_month, "bucket": name}
            row["cases"] = total
            row.update({f"to_{t}": rate_bp(moved.get(t, 0), total) for t in targets})
            rows.append(row)
    spec = columns(
        ("month", "Month", "text"),
        ("next", "Next month", "text"),
        ("bucket", "Bucket", "text"),
        ("cases", "Cases", "count"),
        *((f"to_{t}", f"To {t}", "rate") for t in targets),
    )
    return Built(spec, rows, Chart(kind="bar", label="bucket", values=["to_current"]))
