from __future__ import annotations

from backend.audit.models import AuditRecord
from backend.users.models import Role
from tests.factories import bearer, make_drc, make_user


async def test_admin_registers_and_updates_a_drc(client, signing_key):
    headers = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    created = await client.post(
        "/drcs",
        json={"id": "DRC-NORTH", "name": "North Ltd", "regions": ["Northern"], "capacity": 50},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    updated = await client.patch(
        "/drcs/DRC-NORTH", json={"capacity": 75, "active": False}, headers=headers
    )
    assert updated.json()["capacity"] == 75 and updated.json()["active"] is False
    actions = [r.action async for r in AuditRecord.find({"entity_id": "DRC-NORTH"})]
    assert sorted(actions) == ["drc.create", "drc.update"]
    duplicate = await client.post(
        "/drcs", json={"id": "DRC-NORTH", "name": "Again"}, headers=headers
    )
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "drc.exists"


async def test_drc_staff_see_only_their_drc(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    other = await make_drc()
    headers = bearer(signing_key, officer)
    listed = await client.get("/drcs", headers=headers)
    assert [d["id"] for d in listed.json()] == [officer.drc_id]
    hidden = await client.get(f"/drcs/{other.id}", headers=headers)
    assert hidden.status_code == 404 and hidden.json()["code"] == "drc.not_found"


async def test_only_operator_admins_change_drcs(client, signing_key):
    drc = await make_drc()
    for role in (Role.OPERATOR_OFFICER, Role.DRC_SUPERVISOR):
        actor = await make_user(role, drc_id=drc.id if role.belongs_to_drc else None)
        headers = bearer(signing_key, actor)
        changed = await client.patch(f"/drcs/{drc.id}", json={"capacity": 1}, headers=headers)
        created = await client.post("/drcs", json={"id": "DRC-X", "name": "X"}, headers=headers)
        for response in (changed, created):
            assert response.status_code == 403 and response.json()["code"] == "auth.forbidden"
