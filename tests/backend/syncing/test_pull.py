from __future__ import annotations

from backend.allocation import assignment
from backend.allocation.schemas import AssignmentCreate
from backend.users.models import Role
from tests.backend.syncing.helpers import Device, pull_all, push_ok
from tests.factories import bearer, make_case, make_user


async def test_initial_sync_pages_through_the_officers_open_cases(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    mine = [await make_case("negotiation", ro=officer) for _ in range(5)]
    await make_case("closed")
    await make_case("negotiation")  # another officer's
    pages, since = [], None
    while True:
        params = {"limit": 2} | ({"since": since} if since else {})
        page = (
            await client.get("/sync/pull", params=params, headers=bearer(signing_key, officer))
        ).json()
        pages.append(page)
        since = page["next"]
        if not page["has_more"]:
            break
    got = [c["id"] for p in pages for c in p["changes"]]
    assert sorted(got) == sorted(str(c.id) for c in mine)
    assert all(
        c["op"] == "upsert" and c["data"]["ro_id"] == officer.id
        for p in pages
        for c in p["changes"]
    )
    assert since.startswith("c.")
    # Resuming from a middle cursor gives the rest, not the start again.
    resumed, _ = await pull_all(client, signing_key, officer, pages[1]["next"])
    assert [c["id"] for c in resumed] == got[4:]


async def test_changes_arrive_once_with_the_newest_state(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    _, since = await pull_all(client, signing_key, officer)
    phone = Device(officer)
    await push_ok(client, signing_key, officer, [phone.negotiation(str(case.id)) for _ in range(3)])
    changes, since = await pull_all(client, signing_key, officer, since)
    cases = [c for c in changes if c["entity"] == "case"]
    assert [(c["id"], c["op"]) for c in cases] == [(str(case.id), "upsert")]
    assert cases[0]["data"]["phase"] == "negotiation"
    # Each mutation's outcome arrives too, for the app's outbox screen.
    outcomes = {
        c["id"]: c["data"]["result"]["status"] for c in changes if c["entity"] == "mutation"
    }
    assert outcomes == {f"{phone.client_id}:{n}": "applied" for n in (1, 2, 3)}
    assert (await pull_all(client, signing_key, officer, since))[0] == []


async def test_a_reassigned_case_leaves_one_officer_and_reaches_the_other(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    other = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    case = await make_case("negotiation", ro=officer)
    _, old_since = await pull_all(client, signing_key, officer)
    _, new_since = await pull_all(client, signing_key, other)
    _, desk_since = await pull_all(client, signing_key, supervisor)
    await assignment.assign(actor=supervisor, case=case, data=AssignmentCreate(ro_id=other.id))
    left, _ = await pull_all(client, signing_key, officer, old_since)
    assert [(c["id"], c["op"], c["data"]) for c in left] == [(str(case.id), "remove", None)]
    arrived, _ = await pull_all(client, signing_key, other, new_since)
    assert [(c["id"], c["op"]) for c in arrived] == [(str(case.id), "upsert")]
    assert arrived[0]["data"]["ro_id"] == other.id
    desk, _ = await pull_all(client, signing_key, supervisor, desk_since)
    assert [(c["id"], c["op"]) for c in desk] == [(str(case.id), "upsert")]


async def test_a_contact_change_reaches_the_case_holder(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    _, since = await pull_all(client, signing_key, officer)
    phone = Device(officer)
    add = phone.mutation(
        "customer.update_contact",
        {"case_id": str(case.id), "changes": [{"op": "add", "kind": "email", "value": "a@b.lk"}]},
        base_version=1,
    )
    [result] = await push_ok(client, signing_key, officer, [add])
    assert result["status"] == "applied", result
    changes, _ = await pull_all(client, signing_key, officer, since)
    assert [c["id"] for c in changes if c["entity"] == "case"] == [str(case.id)]


async def test_a_review_decision_reaches_the_officer(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    case = await make_case("closed")
    phone = Device(officer)
    _, since = await pull_all(client, signing_key, officer)
    [result] = await push_ok(client, signing_key, officer, [phone.negotiation(str(case.id))])
    dismissed = await client.post(
        f"/sync/inbox/{result['review_id']}/dismiss",
        json={"reason": "case was closed by the operator"},
        headers=bearer(signing_key, supervisor),
    )
    assert dismissed.status_code == 200, dismissed.text
    changes, _ = await pull_all(client, signing_key, officer, since)
    [change] = changes
    assert change["entity"] == "mutation" and change["id"] == f"{phone.client_id}:1"
    assert change["data"]["review"]["status"] == "dismissed"
    assert change["data"]["result"]["status"] == "quarantined"


async def test_cursors_the_server_never_issued_are_refused(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    for since in ("c.999999", "s.0.7.-", "x.1", "c.-1", "s.a.b.c"):
        response = await client.get(
            "/sync/pull", params={"since": since}, headers=bearer(signing_key, officer)
        )
        assert response.status_code == 422, (since, response.text)
        assert response.json()["code"] == "request.invalid_cursor"
