"""Allocation rules over HTTP: who may read and write them, validation, audit, deactivation."""

from __future__ import annotations

from backend.audit.models import AuditRecord
from backend.users.models import Role
from tests.factories import bearer, make_drc, make_user

RULE = {
    "name": "High arrears, Western",
    "priority": 10,
    "conditions": {
        "arrears_min": {"amount": 5_000_000, "currency": "LKR"},
        "regions": ["Western"],
        "actions": ["arrears", "arrears_and_cpe"],
        "min_age_days": 30,
    },
    "validity_days": 45,
    "strategy": "capacity",
}


async def test_admin_manages_rules_and_every_change_is_audited(client, signing_key):
    drc, banned = await make_drc(), await make_drc()
    admin = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    created = await client.post(
        "/allocation/rules",
        json={**RULE, "drc_ids": [drc.id], "excluded_drc_ids": [banned.id]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    rule = created.json()
    assert rule["conditions"]["max_age_days"] is None and rule["active"] is True
    rule_id = rule["id"]
    patched = await client.patch(
        f"/allocation/rules/{rule_id}",
        json={"conditions": {"regions": ["Southern"], "min_age_days": None}, "drc_ids": None},
        headers=admin,
    )
    assert patched.status_code == 200, patched.text
    conditions = patched.json()["conditions"]
    assert conditions["regions"] == ["Southern"] and conditions["min_age_days"] is None
    assert conditions["arrears_min"]["amount"] == 5_000_000  # left alone by the merge
    assert patched.json()["drc_ids"] is None  # any active DRC
    deleted = await client.delete(f"/allocation/rules/{rule_id}", headers=admin)
    assert deleted.status_code == 200 and deleted.json()["active"] is False
    assert (await client.get(f"/allocation/rules/{rule_id}", headers=admin)).status_code == 200
    assert (await client.get("/allocation/rules", headers=admin)).json() == []
    everything = await client.get(
        "/allocation/rules", params={"include_inactive": True}, headers=admin
    )
    assert [r["id"] for r in everything.json()] == [rule_id]
    actions = [r.action async for r in AuditRecord.find({"entity_id": rule_id}).sort("at")]
    assert actions == [
        "allocation_rule.create",
        "allocation_rule.update",
        "allocation_rule.deactivate",
    ]


async def test_rules_are_listed_in_the_order_they_are_tried(client, signing_key):
    admin = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    for name, priority in (("c", 30), ("a", 10), ("b", 20)):
        await client.post(
            "/allocation/rules", json={"name": name, "priority": priority}, headers=admin
        )
    listed = await client.get("/allocation/rules", headers=admin)
    assert [r["name"] for r in listed.json()] == ["a", "b", "c"]
    assert listed.json()[0]["validity_days"] == 60 and listed.json()[0]["strategy"] == "performance"


async def test_operator_officers_read_and_others_may_not(client, signing_key):
    admin = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    rule_id = (await client.post("/allocation/rules", json=RULE, headers=admin)).json()["id"]
    officer = bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))
    assert (await client.get(f"/allocation/rules/{rule_id}", headers=officer)).status_code == 200
    for method, path, body in (
        ("POST", "/allocation/rules", RULE),
        ("PATCH", f"/allocation/rules/{rule_id}", {"priority": 1}),
        ("DELETE", f"/allocation/rules/{rule_id}", None),
    ):
        response = await client.request(method, path, json=body, headers=officer)
        assert response.status_code == 403, (method, response.text)
    supervisor = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR))
    assert (await client.get("/allocation/rules", headers=supervisor)).status_code == 403


async def test_inconsistent_or_unknown_references_are_refused(client, signing_key):
    admin = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    upside_down = {
        "name": "x",
        "conditions": {"arrears_min": {"amount": 500}, "arrears_max": {"amount": 100}},
    }
    response = await client.post("/allocation/rules", json=upside_down, headers=admin)
    assert response.status_code == 422 and response.json()["code"] == "allocation.rule_invalid"
    mixed = {
        "name": "x",
        "conditions": {
            "arrears_min": {"amount": 1},
            "arrears_max": {"amount": 9, "currency": "USD"},
        },
    }
    response = await client.post("/allocation/rules", json=mixed, headers=admin)
    assert response.json()["code"] == "allocation.rule_invalid"
    ghost = await client.post(
        "/allocation/rules", json={"name": "x", "drc_ids": ["DRC-GHOST"]}, headers=admin
    )
    assert ghost.status_code == 422 and ghost.json()["code"] == "allocation.unknown_drc"
    rule_id = (await client.post("/allocation/rules", json=RULE, headers=admin)).json()["id"]
    backwards = await client.patch(
        f"/allocation/rules/{rule_id}", json={"conditions": {"max_age_days": 10}}, headers=admin
    )
    assert backwards.json()["code"] == "allocation.rule_invalid"  # min_age_days is 30
    nulled = await client.patch(f"/allocation/rules/{rule_id}", json={"name": None}, headers=admin)
    assert nulled.status_code == 422 and nulled.json()["code"] == "request.invalid"
    missing = await client.get("/allocation/rules/" + "0" * 24, headers=admin)
    assert missing.status_code == 404 and missing.json()["code"] == "allocation.rule_not_found"


async def test_admin_reorders_every_rule_at_once(client, signing_key):
    admin = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    made = [
        (await client.post("/allocation/rules", json={"name": n}, headers=admin)).json()["id"]
        for n in ("first", "second", "third")
    ]
    order = [made[2], made[0], made[1]]
    response = await client.put("/allocation/rule-order", json={"rule_ids": order}, headers=admin)
    assert response.status_code == 200, response.text
    assert [(r["id"], r["priority"]) for r in response.json()] == list(
        zip(order, (10, 20, 30), strict=True)
    )
    listed = await client.get("/allocation/rules", headers=admin)
    assert [r["id"] for r in listed.json()] == order
    partial = await client.put(
        "/allocation/rule-order", json={"rule_ids": order[:2]}, headers=admin
    )
    assert partial.status_code == 422 and partial.json()["code"] == "allocation.rule_invalid"
    assert partial.json()["errors"][0]["field"] == "rule_ids"
    officer = bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))
    refused = await client.put("/allocation/rule-order", json={"rule_ids": order}, headers=officer)
    assert refused.status_code == 403
    actions = {r.action async for r in AuditRecord.find({"entity_id": made[2]})}
    assert "allocation_rule.reorder" in actions


async def test_refusals_name_the_field(client, signing_key):
    admin = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    upside_down = {"name": "x", "conditions": {"min_age_days": 9, "max_age_days": 3}}
    response = await client.post("/allocation/rules", json=upside_down, headers=admin)
    assert response.json()["errors"][0]["field"] == "conditions.max_age_days"
    ghost = {"name": "x", "excluded_drc_ids": ["DRC-GHOST"]}
    response = await client.post("/allocation/rules", json=ghost, headers=admin)
    assert response.json()["errors"] == [
        {
            "in": "body",
            "field": "excluded_drc_ids",
            "reason": "No DRC DRC-GHOST",
            "type": "allocation.unknown_drc",
        }
    ]
