"""Accounts: who may see and manage whom, and every change audited."""

from __future__ import annotations

import pytest

from backend.audit.models import AuditRecord
from backend.users.models import Role
from tests.factories import bearer, make_drc, make_user


def _new(uid: str, role: Role, drc_id: str | None) -> dict:
    return {
        "uid": uid,
        "email": f"{uid}@test.debtx.dev",
        "display_name": uid.title(),
        "role": role.value,
        **({"drc_id": drc_id} if drc_id else {}),
    }


async def test_admin_creates_a_user_and_it_is_audited(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    drc = await make_drc()
    response = await client.post(
        "/users",
        json=_new("ro-new", Role.RECOVERY_OFFICER, drc.id),
        headers=bearer(signing_key, admin),
    )
    assert response.status_code == 201, response.text
    assert response.json()["drc_id"] == drc.id
    record = await AuditRecord.find_one({"action": "user.create", "entity_id": "ro-new"})
    assert record.actor_uid == admin.id and record.actor_role == "operator_admin"
    assert record.after["role"] == "recovery_officer" and record.request_id


async def test_supervisor_creates_officers_only_in_own_drc(client, signing_key):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    other = await make_drc()
    headers = bearer(signing_key, supervisor)
    own = await client.post(
        "/users", json=_new("ro-own", Role.RECOVERY_OFFICER, supervisor.drc_id), headers=headers
    )
    assert own.status_code == 201
    for body in (
        _new("ro-x", Role.RECOVERY_OFFICER, other.id),
        _new("sup-x", Role.DRC_SUPERVISOR, supervisor.drc_id),
        _new("adm-x", Role.OPERATOR_ADMIN, None),
    ):
        response = await client.post("/users", json=body, headers=headers)
        assert response.status_code == 403 and response.json()["code"] == "auth.forbidden"


@pytest.mark.parametrize("role", [Role.RECOVERY_OFFICER, Role.OPERATOR_OFFICER])
async def test_non_managers_cannot_create_users(client, signing_key, role):
    actor = await make_user(role)
    response = await client.post(
        "/users",
        json=_new("x1", Role.RECOVERY_OFFICER, actor.drc_id or (await make_drc()).id),
        headers=bearer(signing_key, actor),
    )
    assert response.status_code == 403


async def test_duplicate_user_is_a_409(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    body = _new("op-dup", Role.OPERATOR_OFFICER, None)
    assert (
        await client.post("/users", json=body, headers=bearer(signing_key, admin))
    ).status_code == 201
    response = await client.post("/users", json=body, headers=bearer(signing_key, admin))
    assert response.status_code == 409 and response.json()["code"] == "user.exists"


async def test_role_and_drc_must_agree(client, signing_key):
    headers = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    no_drc = await client.post(
        "/users", json=_new("ro-nodrc", Role.RECOVERY_OFFICER, None), headers=headers
    )
    assert no_drc.status_code == 422 and no_drc.json()["code"] == "user.drc_mismatch"
    unknown = await client.post(
        "/users", json=_new("ro-u", Role.RECOVERY_OFFICER, "DRC-NONE"), headers=headers
    )
    assert unknown.status_code == 422 and unknown.json()["code"] == "drc.unavailable"


async def test_users_outside_reach_are_404(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    foreign_supervisor = await make_user(Role.DRC_SUPERVISOR)
    for actor, target in ((officer, colleague), (foreign_supervisor, officer)):
        response = await client.get(f"/users/{target.id}", headers=bearer(signing_key, actor))
        assert response.status_code == 404 and response.json()["code"] == "user.not_found"
    own_supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    assert (
        await client.get(f"/users/{officer.id}", headers=bearer(signing_key, own_supervisor))
    ).status_code == 200


async def test_supervisor_lists_only_own_drc(client, signing_key):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    mine = await make_user(Role.RECOVERY_OFFICER, drc_id=supervisor.drc_id)
    await make_user(Role.RECOVERY_OFFICER)
    response = await client.get("/users", headers=bearer(signing_key, supervisor))
    uids = {u["uid"] for u in response.json()["items"]}
    assert uids == {supervisor.id, mine.id}
    officer_list = await client.get("/users", headers=bearer(signing_key, mine))
    assert officer_list.status_code == 403


async def test_listing_pages_with_a_cursor(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    drc = await make_drc()
    for _ in range(5):
        await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id)
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "drc_id": drc.id, **({"cursor": cursor} if cursor else {})}
        page = (
            await client.get("/users", params=params, headers=bearer(signing_key, admin))
        ).json()
        seen += [u["uid"] for u in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 5


async def test_update_is_audited_with_before_and_after(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    officer = await make_user(Role.RECOVERY_OFFICER)
    response = await client.patch(
        f"/users/{officer.id}", json={"area": "Jaffna"}, headers=bearer(signing_key, admin)
    )
    assert response.status_code == 200 and response.json()["area"] == "Jaffna"
    record = await AuditRecord.find_one({"action": "user.update", "entity_id": officer.id})
    assert record.before == {"area": None} and record.after == {"area": "Jaffna"}


async def test_role_cannot_cross_between_operator_and_drc(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    officer = await make_user(Role.RECOVERY_OFFICER)
    response = await client.patch(
        f"/users/{officer.id}", json={"role": "operator_admin"}, headers=bearer(signing_key, admin)
    )
    assert response.status_code == 422 and response.json()["code"] == "user.role_change_invalid"
    promoted = await client.patch(
        f"/users/{officer.id}", json={"role": "drc_supervisor"}, headers=bearer(signing_key, admin)
    )
    assert promoted.status_code == 200


async def test_supervisor_cannot_promote_or_touch_other_drcs(client, signing_key):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    mine = await make_user(Role.RECOVERY_OFFICER, drc_id=supervisor.drc_id)
    foreign = await make_user(Role.RECOVERY_OFFICER)
    headers = bearer(signing_key, supervisor)
    promote = await client.patch(
        f"/users/{mine.id}", json={"role": "drc_supervisor"}, headers=headers
    )
    assert promote.status_code == 403
    assert (
        await client.patch(f"/users/{foreign.id}", json={"active": False}, headers=headers)
    ).status_code == 404
    disable = await client.patch(f"/users/{mine.id}", json={"active": False}, headers=headers)
    assert disable.status_code == 200 and disable.json()["active"] is False
