"""Recall: cases held past their validity period return to the pool, extended ones stay."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.allocation import service, tasks
from backend.allocation.models import AllocationAttempt
from backend.cases.phases import Phase
from backend.users.models import Role
from tests.backend.allocation.helpers import add_rule, reload, shape
from tests.factories import bearer, make_case, make_drc, make_user


def days(n: float) -> datetime:
    return datetime.now(UTC) + timedelta(days=n)


async def test_expired_cases_are_recalled_and_extended_ones_are_not():
    drc = await make_drc()
    expired = {
        phase: await shape(await make_case(phase, drc_id=drc.id), validity_until=days(-1))
        for phase in ("allocated", "assigned", "negotiation")
    }
    extended = await shape(await make_case("assigned", drc_id=drc.id), validity_until=days(30))
    settling = await shape(await make_case("settlement", drc_id=drc.id), validity_until=days(-1))
    summary = await service.recall_expired(actor=None, limit=100, reallocate=False)
    assert {r.case_id for r in summary.recalled} == {str(c.id) for c in expired.values()}
    for case in expired.values():
        case = await reload(case)
        assert case.phase is Phase.NEW
        assert (case.drc_id, case.ro_id, case.allocation, case.validity_until) == (None,) * 4
        assert case.history[-1].action == "case.recall"
        assert f"recalled from {drc.id}" in (case.history[-1].note or "")
        attempt = await AllocationAttempt.get(str(case.id))
        assert attempt is not None and attempt.recalled_from == drc.id
    assert (await reload(extended)).phase is Phase.ASSIGNED
    assert (await reload(settling)).phase is Phase.SETTLEMENT


async def test_recall_rereads_the_date_an_extension_moved():
    case = await shape(await make_case("negotiation"), validity_until=days(-1))
    listed = [str(case.id)]  # as the recall run listed it ...
    await shape(case, validity_until=days(14))  # ... before an approved extension landed
    summary = await service.recall_cases(actor=None, case_ids=listed, now=datetime.now(UTC))
    assert summary.recalled == [] and "has not ended" in summary.skipped[0].reason
    assert (await reload(case)).phase is Phase.NEGOTIATION


async def test_recalled_case_is_reallocated_but_not_to_the_drc_that_held_it():
    held, other = await make_drc(performance_score=0.9), await make_drc(performance_score=0.1)
    await add_rule("all", drc_ids=[held.id, other.id])
    case = await shape(await make_case("assigned", drc_id=held.id), validity_until=days(-1))
    summary = await service.recall_expired(actor=None, limit=10)
    assert summary.reallocation is not None
    assert [r.drc_id for r in summary.reallocation.allocated] == [other.id]
    case = await reload(case)
    assert case.phase is Phase.ALLOCATED and case.drc_id == other.id
    assert f"{held.id} held the case until it was recalled" in case.allocation.reason


async def test_only_the_previous_holder_left_means_the_case_waits_in_the_pool():
    held = await make_drc()
    await add_rule("only one", drc_ids=[held.id])
    case = await shape(await make_case("allocated", drc_id=held.id), validity_until=days(-2))
    summary = await service.recall_expired(actor=None, limit=10)
    assert summary.reallocation is not None and summary.reallocation.allocated == []
    assert (await reload(case)).phase is Phase.NEW
    # with the exclusion switched off the previous holder may take it back
    again = await service.allocate_cases(
        actor=None, case_ids=[str(case.id)], exclude_previous=False
    )
    assert [r.drc_id for r in again.allocated] == [held.id]


async def test_recall_route_and_task(client, signing_key):
    first = await shape(await make_case("assigned"), validity_until=days(-1))
    operator = await make_user(Role.OPERATOR_ADMIN)
    response = await client.post("/allocation/recall", headers=bearer(signing_key, operator))
    assert response.status_code == 200, response.text
    assert [r["case_id"] for r in response.json()["recalled"]] == [str(first.id)]
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    refused = await client.post("/allocation/recall", headers=bearer(signing_key, supervisor))
    assert refused.status_code == 403
    second = await shape(await make_case("negotiation"), validity_until=days(-1))
    counts = await tasks.run_recall_expired()
    assert counts["recalled"] == 1 and (await reload(second)).phase is Phase.NEW
