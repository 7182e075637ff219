"""Each report's figures on work built through the services, against the same figures
counted by hand from what was recorded."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from backend.cases import service as cases
from backend.cases.phases import OPEN_PHASES
from backend.cases.schemas import CaseWithdraw
from backend.core.errors import Forbidden
from backend.drcs import service as drcs
from backend.drcs.errors import DrcNotFound
from backend.reports import service as reports
from backend.reports import snapshots
from backend.reports.errors import ReportFiltersInvalid, ReportNotFound
from backend.reports.schemas import Period
from tests.backend.payments.helpers import reload, set_age
from tests.backend.performance.world import World, build_world
from tests.backend.reports import expected


@pytest.fixture
async def world() -> World:
    return await build_world()


def _window():
    today = datetime.now(UTC).date()
    return reports.default_filters(from_day=today - timedelta(days=90), to_day=today)


async def _run(actor, name, filters=None):
    return await reports.run(actor=actor, name=name, filters=filters or _window())


async def test_aging_counts_every_open_case_in_its_bucket(world):
    now = datetime.now(UTC)
    table = await _run(world.admin, "aging")
    got = {row["bucket"]: (row["cases"], row["outstanding"]) for row in table.rows}
    assert got == expected.aging(world.cases, now)
    mine = await _run(world.supervisor, "aging")
    in_a = [c for c in world.cases if c.drc_id == world.drc_a]
    assert {r["bucket"]: (r["cases"], r["outstanding"]) for r in mine.rows} == expected.aging(
        in_a, now
    )
    assert {row["currency"] for row in table.rows} == {"LKR"}


async def test_recovery_promises_and_contacts_per_officer(world):
    o1, o2 = world.officers[:2]
    recovery = {r["holder"]: r for r in (await _run(world.supervisor, "recovery")).rows}
    held = [c for c in world.cases if c.ro_id == o1.id]
    arrears = sum(c.arrears.amount for c in held)
    recovered = arrears - sum(c.outstanding.amount for c in held)
    row = recovery[o1.display_name]
    assert (row["cases"], row["arrears"], row["recovered"]) == (len(held), arrears, recovered)
    assert row["recovery_rate"] == (recovered * 10_000 + arrears // 2) // arrears
    assert row["collected"] == sum(d.amount for d in world.paid if d.officer_id == o1.id)
    promises = {r["holder"]: r for r in (await _run(world.supervisor, "promises")).rows}
    kept = sum(1 for d in world.kept if d.officer_id == o1.id)
    broken = sum(1 for d in world.broken if d.officer_id == o1.id)
    assert (promises[o1.display_name]["kept"], promises[o1.display_name]["broken"]) == (
        kept,
        broken,
    )
    assert promises[o1.display_name]["kept_rate"] == kept * 10_000 // (kept + broken)
    contacts = {r["holder"]: r for r in (await _run(world.supervisor, "contacts")).rows}
    made = Counter(d.officer_id for d in world.contacts)
    assert {name: r["attempts"] for name, r in contacts.items()} == {
        o1.display_name: made[o1.id],
        o2.display_name: made[o2.id],
    }
    # every contact in the world reached the customer: a right-party contact rate of 100%
    assert {r["rpc_rate"] for r in contacts.values()} == {10_000}


async def test_operator_staff_get_rows_per_drc(world):
    rows = {r["holder"]: r for r in (await _run(world.admin, "recovery")).rows}
    names = {d.id: d.name for d in await drcs.list_for(actor=world.admin)}
    for drc in (world.drc_a, world.drc_b):
        collected = sum(d.amount for d in world.paid if d.drc_id == drc)
        assert rows[names[drc]]["collected"] == collected
    assert rows["-"]["cases"] == 1  # the pool's case, held by no DRC


async def test_payment_trends_by_channel_and_month(world):
    table = await _run(world.admin, "payment-trends")
    by_month = Counter()
    for done in world.paid:
        by_month[f"{done.at:%Y-%m}"] += done.amount
    assert {r["period"]: r["amount"] for r in table.rows} == dict(by_month)
    assert {r["channel"] for r in table.rows} == {"bank"}
    filters = _window().model_copy(update={"period": Period.DAY})
    daily = await _run(world.admin, "payment-trends", filters)
    assert sum(r["payments"] for r in daily.rows) == len(world.paid)


async def test_roll_rates_follow_the_month_end_snapshots(world):
    now = datetime.now(UTC)
    last_month_end = now.replace(day=1, hour=23, minute=50) - timedelta(days=1)
    await snapshots.take(now=last_month_end)
    before = {str(c.id): expected.bucket(c, last_month_end) for c in world.cases}
    reason = CaseWithdraw(reason="settled with the operator")
    await cases.withdraw(actor=world.admin, case=await reload(world.cases[2]), data=reason)
    await set_age(world.cases[0], 40)
    await snapshots.take(now=now)
    after = {}
    for case in [await reload(c) for c in world.cases]:
        if case.phase in OPEN_PHASES:
            after[str(case.id)] = expected.bucket(case, now)
    moves = Counter((before[cid], after.get(cid, "closed")) for cid in before)
    opened_before = [c for c in world.cases if c.phase in OPEN_PHASES]
    counts = Counter(before[str(c.id)] for c in opened_before)
    table = await _run(world.admin, "roll-rates")
    assert {r["bucket"]: r["cases"] for r in table.rows} == dict(counts)
    for row in table.rows:
        for (origin, to), n in moves.items():
            if origin == row["bucket"]:
                assert row[f"to_{to}"] == (n * 10_000 + counts[origin] // 2) // counts[origin]
    assert any(row["to_closed"] for row in table.rows)
    # the aging of a window ended last month is its last snapshot's
    ended = reports.default_filters(
        from_day=last_month_end.date() - timedelta(days=30), to_day=last_month_end.date()
    )
    past = await _run(world.admin, "aging", ended)
    assert {r["as_of"] for r in past.rows} == {f"{last_month_end:%Y-%m-%d}"}
    assert {r["bucket"]: (r["cases"], r["outstanding"]) for r in past.rows} == expected.aging(
        world.cases, last_month_end
    )


async def test_commission_and_equipment_answer_for_reach(world):
    commission = await _run(world.supervisor, "commission")
    assert all(r["drc"] != world.drc_b for r in commission.rows)
    equipment = await _run(world.admin, "cpe")
    assert equipment.rows == []  # the world's cases recover arrears only


async def test_reach_and_filters_are_checked(world):
    with pytest.raises(DrcNotFound):
        await _run(world.supervisor, "aging", _window().model_copy(update={"drc_id": world.drc_b}))
    with pytest.raises(ReportNotFound):
        await _run(world.supervisor, "segments")
    assert "segments" not in {r.name for r in reports.list_reports(actor=world.supervisor)}
    with pytest.raises(Forbidden):
        await _run(world.officers[0], "aging")
    today = datetime.now(UTC).date()
    with pytest.raises(ReportFiltersInvalid):
        reports.default_filters(from_day=today, to_day=today - timedelta(days=1))
    with pytest.raises(ReportFiltersInvalid):
        reports.default_filters(from_day=today - timedelta(days=800), to_day=today)
