"""Allocating pool cases end to end: the case moves, the reason is kept, capacity holds."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from backend.allocation import service, tasks
from backend.allocation.models import AllocationAttempt
from backend.audit.models import AuditRecord
from backend.cases.models import Action
from backend.cases.phases import Phase
from backend.users.models import Role
from tests.backend.allocation.helpers import add_rule, held_by, pool_case, reload
from tests.factories import bearer, make_case, make_drc, make_user


async def test_allocates_by_the_first_matching_rule_and_records_why():
    north = await make_drc(performance_score=0.4)
    west = await make_drc(performance_score=0.8, regions=["Western"])
    best = await make_drc(performance_score=0.95)
    big = await add_rule(
        "Big Western debts",
        priority=10,
        conditions={"arrears_min": {"amount": 100_000}, "regions": ["Western"]},
        drc_ids=[north.id, west.id, best.id],
        excluded_drc_ids=[best.id],
        validity_days=30,
    )
    await add_rule("Everything else", priority=20, drc_ids=[best.id])
    case = await pool_case(arrears=150_000)
    summary = await service.allocate_cases(actor=None, case_ids=[str(case.id)])
    assert [r.drc_id for r in summary.allocated] == [west.id]
    case = await reload(case)
    assert case.phase is Phase.ALLOCATED and case.drc_id == west.id
    assert case.allocation is not None and case.allocation.rule_id == str(big.id)
    reason = case.allocation.reason
    assert 'Rule "Big Western debts" (priority 10) matched' in reason
    assert f"Ranked by performance score: {west.id} (score 0.80" in reason
    assert f"{best.id} is excluded by the rule" in reason
    assert case.validity_until is not None
    expected = datetime.now(UTC) + timedelta(days=30)
    assert abs((case.validity_until - expected).total_seconds()) < 60
    assert case.history[-1].action == "case.allocate" and case.history[-1].drc_id == west.id
    audit = await AuditRecord.find_one({"entity_id": str(case.id), "action": "case.allocate"})
    assert audit is not None and audit.after["drc_id"] == west.id
    attempt = await AllocationAttempt.get(str(case.id))
    assert attempt is not None and attempt.outcome == "allocated"
    assert [r.drc_id for r in attempt.ranking] == [west.id, north.id]


async def test_rule_conditions_pick_the_rule():
    cpe_drc, old_drc, small_drc, any_drc = [await make_drc() for _ in range(4)]
    await add_rule("CPE only", priority=1, conditions={"actions": ["cpe"]}, drc_ids=[cpe_drc.id])
    await add_rule("Old debts", priority=2, conditions={"min_age_days": 365}, drc_ids=[old_drc.id])
    await add_rule(
        "Small", priority=3, conditions={"arrears_max": {"amount": 10_000}}, drc_ids=[small_drc.id]
    )
    await add_rule("South", priority=4, conditions={"regions": ["Southern"]}, drc_ids=[any_drc.id])
    shaped = {
        cpe_drc.id: await pool_case(action=Action.CPE),
        old_drc.id: await pool_case(age_days=400),
        small_drc.id: await pool_case(arrears=9_000),
        any_drc.id: await pool_case(region="Southern"),
    }
    left = await pool_case(region="Central")
    ids = [str(c.id) for c in (*shaped.values(), left)]
    summary = await service.allocate_cases(actor=None, case_ids=ids)
    placed = {r.case_id: r.drc_id for r in summary.allocated}
    assert placed == {str(c.id): drc_id for drc_id, c in shaped.items()}
    assert [r.case_id for r in summary.unallocated] == [str(left.id)]


async def test_no_rule_matches_case_stays_new_with_the_reason(client, signing_key):
    await make_drc()
    await add_rule("Northern only", conditions={"regions": ["Northern"]})
    case = await pool_case(region="Western")
    summary = await service.allocate_cases(actor=None, case_ids=[str(case.id)])
    assert summary.unallocated[0].reason.startswith("No active rule matches")
    case = await reload(case)
    assert case.phase is Phase.NEW and case.drc_id is None and case.version == 2
    operator = await make_user(Role.OPERATOR_OFFICER)
    listed = await client.get(
        "/allocation/attempts",
        params={"outcome": "unallocated"},
        headers=bearer(signing_key, operator),
    )
    assert listed.status_code == 200, listed.text
    [attempt] = listed.json()["items"]
    assert attempt["case_id"] == str(case.id) and "No active rule matches" in attempt["reason"]
    # Trying again changes nothing on the case; only the attempt count grows.
    await service.allocate_cases(actor=None, case_ids=[str(case.id)])
    assert (await reload(case)).version == 2
    assert (await AllocationAttempt.get(str(case.id))).attempts == 2


async def test_capacity_is_respected_and_full_drcs_are_passed_over():
    full = await make_drc(capacity=2, performance_score=0.99)
    spare = await make_drc(capacity=3, performance_score=0.1)
    await held_by(full.id, 2)
    await add_rule("all", drc_ids=[full.id, spare.id])
    cases = [await pool_case() for _ in range(4)]
    summary = await service.allocate_cases(actor=None, case_ids=[str(c.id) for c in cases])
    assert [r.drc_id for r in summary.allocated] == [spare.id] * 3
    [stuck] = summary.unallocated
    assert stuck.case_id == str(cases[3].id)
    assert f"{full.id} has no spare capacity (2/2 open cases)" in stuck.reason
    assert f"{spare.id} has no spare capacity (3/3 open cases)" in stuck.reason
    assert "No candidate DRC can take it" in stuck.reason


async def test_spare_capacity_strategy():
    roomy = await make_drc(capacity=10, performance_score=0.2)
    busy = await make_drc(capacity=3, performance_score=0.9)
    await held_by(busy.id, 1)
    await add_rule("by room", strategy="capacity", drc_ids=[roomy.id, busy.id])
    case = await pool_case()
    summary = await service.allocate_cases(actor=None, case_ids=[str(case.id)])
    assert summary.allocated[0].drc_id == roomy.id
    assert "Ranked by spare capacity" in summary.allocated[0].reason


async def test_racing_allocations_never_overfill_a_drc():
    drc = await make_drc(capacity=1)
    await add_rule("one slot", drc_ids=[drc.id])
    first, second = await pool_case(), await pool_case()
    results = await asyncio.gather(
        service.allocate_cases(actor=None, case_ids=[str(first.id)]),
        service.allocate_cases(actor=None, case_ids=[str(second.id)]),
    )
    assert sum(len(r.allocated) for r in results) == 1
    assert sum(len(r.unallocated) for r in results) == 1
    phases = {(await reload(c)).phase for c in (first, second)}
    assert phases == {Phase.NEW, Phase.ALLOCATED}


async def test_run_route_allocates_the_pool(client, signing_key):
    drc = await make_drc()
    await add_rule("all", drc_ids=[drc.id])
    pool = [await pool_case() for _ in range(3)]
    await make_case("negotiation", drc_id=drc.id)  # not in the pool: untouched
    officer = await make_user(Role.OPERATOR_OFFICER)
    response = await client.post(
        "/allocation/run", json={"limit": 2}, headers=bearer(signing_key, officer)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [r["case_id"] for r in body["allocated"]] == [str(c.id) for c in pool[:2]]
    assert body["remaining"] == 1
    again = await client.post("/allocation/run", headers=bearer(signing_key, officer))
    assert [r["case_id"] for r in again.json()["allocated"]] == [str(pool[2].id)]
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    refused = await client.post("/allocation/run", headers=bearer(signing_key, supervisor))
    assert refused.status_code == 403


async def test_run_tries_never_tried_cases_before_known_misfits():
    drc = await make_drc()
    await add_rule("Western only", conditions={"regions": ["Western"]}, drc_ids=[drc.id])
    misfit = await pool_case(region="Central")
    await service.allocate_pool(actor=None, limit=10)
    fresh = await pool_case()
    summary = await service.allocate_pool(actor=None, limit=1)
    assert [r.case_id for r in summary.allocated] == [str(fresh.id)]
    assert summary.remaining == 1 and (await reload(misfit)).phase is Phase.NEW


async def test_allocate_new_task_body():
    drc = await make_drc()
    await add_rule("all", drc_ids=[drc.id])
    new = await pool_case()
    taken = await make_case("allocated", drc_id=drc.id)
    gone = "0" * 24
    counts = await tasks.run_allocate_new(case_ids=[str(new.id), str(taken.id), gone])
    assert counts == {"allocated": 1, "unallocated": 0, "skipped": 2}
    assert (await reload(new)).drc_id == drc.id
    assert (await reload(taken)).version == taken.version


def test_tasks_are_registered_under_their_names():
    from backend.worker.app import celery_app

    celery_app.loader.import_default_modules()
    for name in (
        "allocation.allocate_new",
        "allocation.allocate_pool",
        "allocation.recall_expired",
    ):
        assert name in celery_app.tasks
