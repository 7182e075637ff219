"""The recovery work by DRC or officer: cure and recovery, promises, contacts, and
equipment by item type."""

from __future__ import annotations

import asyncio

from backend.cases import service as cases
from backend.cpe import service as cpe
from backend.cpe.models import ItemStatus
from backend.negotiations import service as negotiations
from backend.payments import service as payments
from backend.performance.service import rate_bp
from backend.reports.registry import Built, Context, by_key, columns, holder_column, report
from backend.reports.schemas import Cell, Chart, ReportName


def _sorted(keys: set[tuple]) -> list[tuple]:
    return sorted(keys, key=lambda key: tuple("" if part is None else str(part) for part in key))


@report(
    ReportName.RECOVERY,
    "Cure and recovery",
    "Cases placed in the window per DRC (or officer) holding them: arrears, recovered, "
    "the recovery rate, cases cured (closed recovered) and the cure rate; and the "
    "payments collected in the window.",
)
async def recovery(ctx: Context) -> Built:
    held, paid = await asyncio.gather(
        cases.held_figures(by=ctx.by, reach=ctx.reach, start=ctx.start, end=ctx.end),
        payments.collected_per(by=ctx.by, reach=ctx.reach, since=ctx.start, until=ctx.end),
    )
    held_by, paid_by = by_key(held, "holder", "currency"), by_key(paid, "holder", "currency")
    rows: list[dict[str, Cell]] = []
    for holder, currency in _sorted(set(held_by) | set(paid_by)):
        h = held_by.get((holder, currency), {})
        arrears, cases_n, cured = h.get("arrears", 0), h.get("cases", 0), h.get("cured", 0)
        recovered = max(arrears - h.get("outstanding", 0), 0)
        rows.append(
            {
                "holder": ctx.name_of(holder),
                "currency": currency,
                "cases": cases_n,
                "arrears": arrears,
                "recovered": recovered,
                "recovery_rate": rate_bp(recovered, arrears),
                "cured": cured,
                "cure_rate": rate_bp(cured, cases_n),
                "collected": paid_by.get((holder, currency), {}).get("amount", 0),
            }
        )
    spec = columns(
        holder_column(ctx.by),
        ("currency", "Currency", "text"),
        ("cases", "Cases placed", "count"),
        ("arrears", "Arrears placed", "money"),
        ("recovered", "Recovered", "money"),
        ("recovery_rate", "Recovery rate", "rate"),
        ("cured", "Cured", "count"),
        ("cure_rate", "Cure rate", "rate"),
        ("collected", "Collected in window", "money"),
    )
    return Built(spec, rows, Chart(kind="bar", label="holder", values=["recovered", "collected"]))


@report(
    ReportName.PROMISES,
    "Promises to pay",
    "Promises made in the window per DRC (or officer): kept, broken, still open, and the "
    "kept rate of those settled.",
)
async def promises(ctx: Context) -> Built:
    found = await negotiations.promise_states(
        by=ctx.by, reach=ctx.reach, since=ctx.start, until=ctx.end
    )
    keyed = by_key(found, "holder", "currency", "state")
    rows: list[dict[str, Cell]] = []
    for holder, currency in _sorted({(h, c) for h, c, _ in keyed}):
        n = {
            s: keyed.get((holder, currency, s), {}).get("n", 0) for s in ("open", "kept", "broken")
        }
        amounts = {s: keyed.get((holder, currency, s), {}).get("amount", 0) for s in n}
        rows.append(
            {
                "holder": ctx.name_of(holder),
                "currency": currency,
                "made": sum(n.values()),
                "promised": sum(amounts.values()),
                "kept": n["kept"],
                "broken": n["broken"],
                "open": n["open"],
                "kept_amount": amounts["kept"],
                "kept_rate": rate_bp(n["kept"], n["kept"] + n["broken"]),
            }
        )
    spec = columns(
        holder_column(ctx.by),
        ("currency", "Currency", "text"),
        ("made", "Promises made", "count"),
        ("promised", "Promised", "money"),
        ("kept", "Kept", "count"),
        ("broken", "Broken", "count"),
        ("open", "Open", "count"),
        ("kept_amount", "Promised on kept", "money"),
        ("kept_rate", "Kept rate", "rate"),
    )
    return Built(spec, rows, Chart(kind="bar", label="holder", values=["kept", "broken"]))


@report(
    ReportName.CONTACTS,
    "Right-party contacts",
    "Contact attempts recorded in the window per DRC (or officer): how many reached the "
    "customer (right-party contact) and how many of those ended in a promise to pay.",
)
async def contacts(ctx: Context) -> Built:
    found = await negotiations.contact_results(
        by=ctx.by, reach=ctx.reach, since=ctx.start, until=ctx.end
    )
    rows: list[dict[str, Cell]] = []
    for row in sorted(found, key=lambda r: ctx.name_of(r["_id"])):
        rows.append(
            {
                "holder": ctx.name_of(row["_id"]),
                "attempts": row["attempts"],
                "reached": row["reached"],
                "rpc_rate": rate_bp(row["reached"], row["attempts"]),
                "promised": row["promised"],
                "promise_rate": rate_bp(row["promised"], row["reached"]),
            }
        )
    spec = columns(
        holder_column(ctx.by),
        ("attempts", "Attempts", "count"),
        ("reached", "Right party reached", "count"),
        ("rpc_rate", "Right-party contact rate", "rate"),
        ("promised", "Promises to pay", "count"),
        ("promise_rate", "Promises per contact", "rate"),
    )
    return Built(spec, rows, Chart(kind="bar", label="holder", values=["attempts", "reached"]))


IN_HAND = (ItemStatus.COLLECTED.value, ItemStatus.DAMAGED.value)
_STATUSES = (ItemStatus.COLLECTED, ItemStatus.DAMAGED, ItemStatus.LOST, ItemStatus.NOT_AVAILABLE)


@report(
    ReportName.CPE,
    "Equipment recovery",
    "Equipment on the cases within reach per item type, as of now: to recover, collected, "
    "damaged, lost, not available, approved by the RCMP, and the share in hand.",
)
async def equipment(ctx: Context) -> Built:
    match = cases.reach_filter(ctx.reach) or None
    wanted, recorded = await asyncio.gather(
        cases.cpe_items_by_type(reach=ctx.reach), cpe.items_by_type_and_status(case_match=match)
    )
    keyed = by_key(recorded, "type", "status")
    rows: list[dict[str, Cell]] = []
    for item_type in sorted(set(wanted) | {t for t, _ in keyed}):
        row: dict[str, Cell] = {"type": item_type, "to_recover": wanted.get(item_type, 0)}
        for status in _STATUSES:
            row[status.value] = keyed.get((item_type, status.value), {}).get("n", 0)
        approved = sum(r.get("approved", 0) for (t, _), r in keyed.items() if t == item_type)
        in_hand = sum(keyed.get((item_type, s), {}).get("n", 0) for s in IN_HAND)
        row["approved"] = approved
        row["in_hand_rate"] = rate_bp(in_hand, wanted.get(item_type, 0))
        rows.append(row)
    spec = columns(
        ("type", "Item type", "text"),
        ("to_recover", "To recover", "count"),
        *((s.value, s.value.replace("_", " ").capitalize(), "count") for s in _STATUSES),
        ("approved", "Approved", "count"),
        ("in_hand_rate", "In hand", "rate"),
    )
    return Built(spec, rows, Chart(kind="bar", label="type", values=["to_recover", "collected"]))
