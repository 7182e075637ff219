"""The audit trail: queried by operator staff, never changed by anyone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.users.models import Role
from tests.factories import bearer, make_drc, make_user


@pytest.fixture
async def trail(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    headers = bearer(signing_key, admin)
    drc = await make_drc()
    await client.patch(f"/drcs/{drc.id}", json={"capacity": 10}, headers=headers)
    await client.patch(f"/drcs/{drc.id}", json={"capacity": 20}, headers=headers)
    return admin, drc, headers


async def test_filter_by_entity(client, trail):
    _, drc, headers = trail
    page = (
        await client.get(
            "/audit", params={"entity_type": "drc", "entity_id": drc.id}, headers=headers
        )
    ).json()
    assert [r["action"] for r in page["items"]] == ["drc.update", "drc.update", "drc.create"]
    assert page["items"][0]["after"] == {"capacity": 20}
    assert page["items"][0]["before"] == {"capacity": 10}


async def test_filter_by_actor_and_time(client, trail):
    admin, _, headers = trail
    by_actor = (await client.get("/audit", params={"actor_uid": admin.id}, headers=headers)).json()[
        "items"
    ]
    assert len(by_actor) == 2 and {r["actor_role"] for r in by_actor} == {"operator_admin"}
    future = (datetime.now(UTC) + timedelta(minutes=5)).isoformat()
    later = (await client.get("/audit", params={"since": future}, headers=headers)).json()
    assert later["items"] == []
    until_now = (
        await client.get("/audit", params={"until": future, "limit": 2}, headers=headers)
    ).json()
    assert len(until_now["items"]) == 2 and until_now["next_cursor"]


async def test_only_operator_staff_read_it(client, signing_key, trail):
    for role in (Role.DRC_SUPERVISOR, Role.RECOVERY_OFFICER):
        actor = await make_user(role)
        response = await client.get("/audit", headers=bearer(signing_key, actor))
        assert response.status_code == 403
    reader = await make_user(Role.OPERATOR_OFFICER)
    assert (await client.get("/audit", headers=bearer(signing_key, reader))).status_code == 200


@pytest.mark.parametrize("method", ["put", "patch", "delete", "post"])
async def test_no_route_changes_it(client, trail, method):
    _, _, headers = trail
    response = await client.request(method.upper(), "/audit", headers=headers)
    assert response.status_code == 405
    first = (await client.get("/audit", headers=headers)).json()["items"][0]["id"]
    for path in (f"/audit/{first}",):
        assert (await client.request(method.upper(), path, headers=headers)).status_code in (
            404,
            405,
        )
