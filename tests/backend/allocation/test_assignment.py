"""Handing cases to officers: by hand, and all at once by the DRC's preference."""

from __future__ import annotations

import pytest

from backend.allocation import assignment, repository
from backend.allocation.errors import DrcRequired, OfficerUnavailable
from backend.audit.models import AuditRecord
from backend.cases import service as cases
from backend.cases.errors import CaseNotFound
from backend.cases.phases import Phase
from backend.cases.schemas import CaseWithdraw
from backend.drcs.errors import DrcNotFound
from backend.users.models import Role
from tests.backend.allocation.helpers import reload, shape
from tests.factories import bearer, make_case, make_drc, make_user


async def test_supervisor_assigns_reassigns_and_unassigns(client, signing_key):
    drc = await make_drc()
    supervisor = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id))
    first, second = [await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id) for _ in range(2)]
    case = await make_case("allocated", drc_id=drc.id)
    path = f"/cases/{case.id}/assignment"
    assigned = await client.post(path, json={"ro_id": first.id}, headers=supervisor)
    assert assigned.status_code == 200, assigned.text
    assert assigned.json()["phase"] == "assigned" and assigned.json()["ro_id"] == first.id
    moved = await client.post(path, json={"ro_id": second.id}, headers=supervisor)
    assert moved.json()["phase"] == "assigned" and moved.json()["ro_id"] == second.id
    assert moved.json()["history"][-1]["action"] == "case.reassign"
    assert moved.json()["history"][-1]["note"] == f"Reassigned from {first.id} to {second.id}"
    dropped = await client.delete(path, headers=supervisor)
    assert dropped.json()["phase"] == "allocated" and dropped.json()["ro_id"] is None
    again = await client.delete(path, headers=supervisor)
    assert again.status_code == 409 and again.json()["code"] == "allocation.not_assigned"
    actions = [r.action async for r in AuditRecord.find({"entity_id": str(case.id)}).sort("at")]
    assert actions[-3:] == ["case.assign", "case.reassign", "case.unassign"]


async def test_working_cases_are_reassigned_in_place(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    case = await make_case("negotiation", ro=officer)
    operator = bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))
    path = f"/cases/{case.id}/assignment"
    moved = await client.post(path, json={"ro_id": colleague.id}, headers=operator)
    assert moved.json()["phase"] == "negotiation" and moved.json()["ro_id"] == colleague.id
    same = await client.post(path, json={"ro_id": colleague.id}, headers=operator)
    assert same.status_code == 200 and same.json()["version"] == moved.json()["version"]
    # a negotiating case cannot go back to "allocated": the state machine says no
    dropped = await client.delete(path, headers=operator)
    assert dropped.status_code == 409 and dropped.json()["code"] == "case.illegal_transition"


async def test_officers_of_another_drc_or_inactive_are_refused(client, signing_key):
    drc = await make_drc()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    case = await make_case("allocated", drc_id=drc.id)
    candidates = [
        await make_user(Role.RECOVERY_OFFICER),  # another DRC
        await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id, active=False),
        supervisor,  # not an officer
        "nobody",
    ]
    for candidate in candidates:
        ro_id = getattr(candidate, "id", candidate)
        response = await client.post(
            f"/cases/{case.id}/assignment",
            json={"ro_id": ro_id},
            headers=bearer(signing_key, supervisor),
        )
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "allocation.officer_unavailable"
    assert (await reload(case)).phase is Phase.ALLOCATED


async def test_cases_outside_reach_are_not_found_and_officers_may_not_assign(client, signing_key):
    case = await make_case("assigned")
    stranger = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR))
    path = f"/cases/{case.id}/assignment"
    for response in (
        await client.post(path, json={"ro_id": case.ro_id}, headers=stranger),
        await client.delete(path, headers=stranger),
    ):
        assert response.status_code == 404 and response.json()["code"] == "case.not_found"
    holder = bearer(signing_key, case.ro_id)
    refused = await client.delete(path, headers=holder)
    assert refused.status_code == 403
    assert refused.json()["code"] == "allocation.assignment_forbidden"
    pool = await make_case("new")
    operator = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    response = await client.post(
        f"/cases/{pool.id}/assignment", json={"ro_id": case.ro_id}, headers=operator
    )
    assert response.status_code == 409 and response.json()["code"] == "allocation.not_assignable"


async def _team(preference: str, areas: tuple[str | None, ...] = (None, None, None)):
    drc = await make_drc(assignment_preference=preference)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    officers = [await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id, area=area) for area in areas]
    return drc, supervisor, sorted(officers, key=lambda o: o.id)


async def _distribute(client, signing_key, actor, **body):
    response = await client.post(
        "/allocation/assign", json=body, headers=bearer(signing_key, actor)
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_round_robin_continues_where_the_last_run_stopped(client, signing_key):
    drc, supervisor, officers = await _team("round_robin")
    await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id, active=False)  # never served
    batch = [await make_case("allocated", drc_id=drc.id) for _ in range(4)]
    body = await _distribute(client, signing_key, supervisor)
    ids = [o.id for o in officers]
    assert [a["case_id"] for a in body["assigned"]] == [str(c.id) for c in batch]
    assert [a["ro_id"] for a in body["assigned"]] == [*ids, ids[0]]
    assert await repository.round_robin_cursor(drc.id) == ids[0]
    for _ in range(2):
        await make_case("allocated", drc_id=drc.id)
    body = await _distribute(client, signing_key, supervisor)
    assert [a["ro_id"] for a in body["assigned"]] == ids[1:3]
    for case in batch:
        assert (await reload(case)).phase is Phase.ASSIGNED


async def test_least_loaded_fills_the_emptiest_officer_first(client, signing_key):
    drc, supervisor, (busy, idle) = await _team("least_loaded", (None, None))
    for _ in range(2):
        await make_case("negotiation", ro=busy)
    await make_case("assigned", ro=idle)
    waiting = [await make_case("allocated", drc_id=drc.id) for _ in range(3)]
    body = await _distribute(client, signing_key, supervisor)
    # idle 1 vs busy 2; then 2 each and the lower id wins; then idle again
    assert [a["ro_id"] for a in body["assigned"]] == [idle.id, busy.id, idle.id]
    assert [a["case_id"] for a in body["assigned"]] == [str(c.id) for c in waiting]


async def test_by_area_matches_regions_and_falls_back_to_least_loaded(client, signing_key):
    drc, supervisor, officers = await _team("by_area", ("Southern", "western", "Western"))
    southern = next(o for o in officers if o.area == "Southern")
    western = [o for o in officers if o.area.casefold() == "western"]
    await make_case("negotiation", ro=western[0])
    west = [await make_case("allocated", drc_id=drc.id) for _ in range(2)]
    central = await shape(await make_case("allocated", drc_id=drc.id), region="Central")
    body = await _distribute(client, signing_key, supervisor)
    by_case = {a["case_id"]: a["ro_id"] for a in body["assigned"]}
    assert by_case[str(west[0].id)] == western[1].id  # the idler of the two Western officers
    assert by_case[str(west[1].id)] == western[0].id  # now they hold one each; lower id wins
    assert by_case[str(central.id)] == southern.id  # nobody works Central: least loaded
    assert southern.id not in {by_case[str(c.id)] for c in west}


async def test_manual_preference_assigns_nothing(client, signing_key):
    drc, supervisor, _ = await _team("manual")
    case = await make_case("allocated", drc_id=drc.id)
    body = await _distribute(client, signing_key, supervisor)
    assert body["assigned"] == [] and body["preference"] == "manual" and "by hand" in body["note"]
    assert (await reload(case)).phase is Phase.ALLOCATED


async def test_who_may_distribute_which_drc(client, signing_key):
    drc, supervisor, officers = await _team("least_loaded")
    case = await make_case("allocated", drc_id=drc.id)
    other = await make_user(Role.DRC_SUPERVISOR)
    hidden = await client.post(
        "/allocation/assign", json={"drc_id": drc.id}, headers=bearer(signing_key, other)
    )
    assert hidden.status_code == 404 and hidden.json()["code"] == "drc.not_found"
    officer = await client.post("/allocation/assign", headers=bearer(signing_key, officers[0]))
    assert officer.status_code == 403
    operator = await make_user(Role.OPERATOR_OFFICER)
    unnamed = await client.post("/allocation/assign", headers=bearer(signing_key, operator))
    assert unnamed.status_code == 422 and unnamed.json()["code"] == "allocation.drc_required"
    body = await _distribute(client, signing_key, operator, drc_id=drc.id)
    assert [a["case_id"] for a in body["assigned"]] == [str(case.id)]
    assert supervisor.drc_id == drc.id


async def test_assign_many_checks_the_whole_request_before_it_changes_anything():
    drc, other = await make_drc(), await make_drc()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id)
    stranger = await make_user(Role.RECOVERY_OFFICER, drc_id=other.id)
    ours = await make_case("allocated", drc_id=drc.id)
    theirs = await make_case("allocated", drc_id=other.id)
    operator = await make_user(Role.OPERATOR_OFFICER)
    refusals = [
        (supervisor, drc.id, [str(ours.id)], stranger.id, OfficerUnavailable),
        (supervisor, drc.id, [str(ours.id), str(theirs.id)], officer.id, CaseNotFound),
        (supervisor, other.id, [str(theirs.id)], stranger.id, DrcNotFound),
        (operator, None, [str(ours.id)], officer.id, DrcRequired),
        (operator, drc.id, [str(ours.id), str(theirs.id)], officer.id, OfficerUnavailable),
    ]
    for actor, drc_id, case_ids, ro_id, error in refusals:
        with pytest.raises(error):
            await assignment.assign_many(actor=actor, drc_id=drc_id, case_ids=case_ids, ro_id=ro_id)
    assert (await reload(ours)).ro_id is None and (await reload(theirs)).ro_id is None


async def test_assign_many_hands_over_each_case_or_says_why_not():
    drc = await make_drc()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    first, second = [await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id) for _ in range(2)]
    waiting = await make_case("allocated", drc_id=drc.id)
    worked = await make_case("negotiation", ro=first)
    held = await make_case("assigned", ro=second)
    closed = await make_case("assigned", ro=first)
    operator = await make_user(Role.OPERATOR_OFFICER)
    await cases.withdraw(actor=operator, case=closed, data=CaseWithdraw(reason="paid in full"))
    ids = [str(c.id) for c in (waiting, worked, held, closed, waiting)]
    summary = await assignment.assign_many(
        actor=supervisor, drc_id=None, case_ids=ids, ro_id=second.id
    )
    assert [a.case_id for a in summary.assigned] == [str(waiting.id), str(worked.id)]
    assert summary.unchanged == [str(held.id)]
    [refused] = summary.refused
    assert refused.case_id == str(closed.id) and refused.reason.startswith("A closed case")
    assert (await reload(worked)).ro_id == second.id
    assert (await reload(worked)).history[-1].action == "case.reassign"
