"""Collections before a DRC: segment outcomes and the strategies' champion/challenger
arms (operator staff: segments are the operator's, not a DRC's)."""

from __future__ import annotations

from backend.dunning import experiments
from backend.dunning import service as dunning
from backend.dunning.errors import ExperimentNotFound
from backend.performance.service import rate_bp
from backend.reports.registry import NO_HOLDER, Built, Context, columns, report
from backend.reports.schemas import Cell, Chart, ReportName
from backend.segments import service as segments


@report(
    ReportName.SEGMENTS,
    "Segment outcomes",
    "Accounts per segment now: overdue, under an arrangement, cleared in the window, and "
    "the share cleared of those overdue or cleared.",
    operator_only=True,
)
async def segment_outcomes(ctx: Context) -> Built:
    names = {s.id: s.name for s in await segments.list_segments()}
    found = await dunning.segment_outcomes(since=ctx.start, until=ctx.end)
    rows: list[dict[str, Cell]] = []
    for row in sorted(found, key=lambda r: names.get(r["_id"], r["_id"] or "")):
        cleared, overdue = row["cleared"], row["overdue"]
        rows.append(
            {
                "segment": names.get(row["_id"], row["_id"] or NO_HOLDER),
                "accounts": row["accounts"],
                "overdue": overdue,
                "arranged": row["arranged"],
                "cleared": cleared,
                "cure_rate": rate_bp(cleared, cleared + overdue),
            }
        )
    spec = columns(
        ("segment", "Segment", "text"),
        ("accounts", "Accounts", "count"),
        ("overdue", "Overdue", "count"),
        ("arranged", "Under arrangement", "count"),
        ("cleared", "Cleared in window", "count"),
        ("cure_rate", "Cure rate", "rate"),
    )
    return Built(spec, rows, Chart(kind="bar", label="segment", values=["overdue", "cleared"]))


@report(
    ReportName.STRATEGIES,
    "Strategy outcomes",
    "Each segment's latest champion/challenger experiment, per arm: accounts, cures, the "
    "cure rate, messages sent and their cost.",
    operator_only=True,
)
async def strategy_outcomes(ctx: Context) -> Built:
    rows: list[dict[str, Cell]] = []
    for segment in await segments.list_segments():
        try:
            found = await experiments.report(segment_id=segment.id)
        except ExperimentNotFound:
            continue
        for arm in found.arms:
            rows.append(
                {
                    "segment": segment.name,
                    "arm": arm.arm.value,
                    "strategy": arm.strategy_id,
                    "accounts": arm.accounts,
                    "cures": arm.cures,
                    "cure_rate": rate_bp(arm.cures, arm.accounts),
                    "messages": arm.messages,
                    "currency": arm.cost.currency,
                    "cost": arm.cost.amount,
                }
            )
    spec = columns(
        ("segment", "Segment", "text"),
        ("arm", "Arm", "text"),
        ("strategy", "Strategy", "text"),
        ("accounts", "Accounts", "count"),
        ("cures", "Cures", "count"),
        ("cure_rate", "Cure rate", "rate"),
        ("messages", "Messages", "count"),
        ("currency", "Currency", "text"),
        ("cost", "Cost", "money"),
    )
    return Built(spec, rows, Chart(kind="bar", label="arm", values=["cure_rate"]))
