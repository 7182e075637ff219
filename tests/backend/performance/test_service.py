"""The performance figures equal the same figures counted by hand from the records made."""

from __future__ import annotations

import pytest

from backend.core.errors import Forbidden
from backend.drcs.errors import DrcNotFound
from backend.performance import service as performance
from tests.backend.performance.world import (
    World,
    build_world,
    expected_aging,
    expected_phases,
    expected_recovery,
    expected_rows,
)


@pytest.fixture
async def world() -> World:
    return await build_world()


def _rows(performance_rows) -> dict[str, tuple]:
    return {
        row.id: (
            row.cases_held,
            row.contacts,
            row.promises_kept,
            row.promises_broken,
            row.collected.amount,
        )
        for row in performance_rows.rows
    }


async def test_a_supervisor_sees_their_drc_only(world):
    actor, drc = world.supervisor, world.drc_a
    phases = await performance.phases(actor=actor)
    assert {p.value: n for p, n in phases.counts.items() if n} == expected_phases(world, drc)
    aging = await performance.aging(actor=actor)
    assert [(b.cases, b.outstanding.amount) for b in aging.bands] == expected_aging(world, drc)
    assert aging.total == 4
    officers = await performance.officers(actor=actor, months=3)
    ids = [o.id for o in world.officers[:2]]
    # the world is what it means to be: two cases, two contacts, one promise of each kind
    assert expected_rows(world, "officer_id", ids)[ids[0]] == (2, 2, 1, 1, 30_000)
    assert _rows(officers) == expected_rows(world, "officer_id", ids)
    recovery = await performance.recovery(actor=actor, months=3)
    got = [
        (m.month, m.collected.amount, m.placed.amount, m.recovery_rate_bp) for m in recovery.months
    ]
    assert got == expected_recovery(world, drc, 3)


async def test_operator_staff_see_every_drc_and_compare_them(world):
    actor = world.admin
    phases = await performance.phases(actor=actor)
    assert {p.value: n for p, n in phases.counts.items() if n} == expected_phases(world, None)
    assert phases.total == len(world.cases)
    aging = await performance.aging(actor=actor)
    assert [(b.cases, b.outstanding.amount) for b in aging.bands] == expected_aging(world, None)
    compared = await performance.compare_drcs(actor=actor, months=3)
    drcs = [world.drc_a, world.drc_b]
    assert _rows(compared) == expected_rows(world, "drc_id", drcs)
    officers = await performance.officers(actor=actor, months=3)
    assert _rows(officers) == expected_rows(world, "officer_id", [o.id for o in world.officers])
    recovery = await performance.recovery(actor=actor, months=3)
    got = [
        (m.month, m.collected.amount, m.placed.amount, m.recovery_rate_bp) for m in recovery.months
    ]
    assert got == expected_recovery(world, None, 3)
    # an earlier month's payment is in its own month, and outside a one-month window
    assert sum(m.collected.amount for m in recovery.months) == 40_000
    narrow = await performance.compare_drcs(actor=actor, months=1)
    assert {row.id: row.collected.amount for row in narrow.rows} == {
        world.drc_a: 30_000,
        world.drc_b: 0,
    }


async def test_an_operator_may_choose_one_drc(world):
    chosen = await performance.aging(actor=world.admin, drc_id=world.drc_b)
    assert [(b.cases, b.outstanding.amount) for b in chosen.bands] == expected_aging(
        world, world.drc_b
    )
    officers = await performance.officers(actor=world.admin, months=3, drc_id=world.drc_b)
    assert [row.id for row in officers.rows] == [world.officers[2].id]


async def test_an_officer_sees_their_own_work_and_cannot_compare_drcs(world):
    officer = world.officers[0]
    mine = await performance.officers(actor=officer, months=3)
    assert _rows(mine) == expected_rows(world, "officer_id", [officer.id])
    phases = await performance.phases(actor=officer)
    assert phases.total == 2
    with pytest.raises(Forbidden):
        await performance.compare_drcs(actor=officer, months=3)


async def test_another_drc_is_not_found_for_a_supervisor(world):
    with pytest.raises(DrcNotFound):
        await performance.phases(actor=world.supervisor, drc_id=world.drc_b)
    with pytest.raises(DrcNotFound):
        await performance.officers(actor=world.supervisor, months=3, drc_id=world.drc_b)
