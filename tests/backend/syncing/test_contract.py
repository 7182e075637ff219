"""What the app sends and receives through sync matches mobile_contract/sync/."""

from __future__ import annotations

import json

import jsonschema_rs

from backend.contract import CONTRACT_DIR
from backend.syncing.service import REGISTRY
from backend.users.models import Role
from tests.backend.syncing.helpers import Device, pull_all, push_ok
from tests.factories import make_case, make_user


def _validator(name: str):
    protocol = json.loads((CONTRACT_DIR / "sync" / "protocol.json").read_text())
    return jsonschema_rs.validator_for({**protocol, "$ref": f"#/$defs/{name}"})


def _args_validator(mutation: str):
    published = json.loads((CONTRACT_DIR / "sync" / "mutations.json").read_text())
    return jsonschema_rs.validator_for(published["mutations"][mutation]["args"])


def test_every_registered_mutation_is_published():
    published = json.loads((CONTRACT_DIR / "sync" / "mutations.json").read_text())["mutations"]
    assert set(published) == set(REGISTRY.mutations)
    assert {
        "negotiation.record",
        "settlement.propose",
        "cpe.record_item",
        "mediation.record_hearing",
        "mediation.submit",
        "customer.update_contact",
        "request.create",
    } <= set(published)
    assert {m["policy"] for m in published.values()} == {
        "append_only",
        "forward_only",
        "field_merge",
    }


async def test_a_real_push_and_pull_match_the_published_schemas(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    phone = Device(officer)
    batch = [phone.negotiation(str(case.id)), phone.mutation("case.unknown", {})]
    _validator("PushBatch").validate({"mutations": batch})
    _args_validator("negotiation.record").validate(batch[0]["args"])
    results = await push_ok(client, signing_key, officer, batch)
    _validator("PushResults").validate({"results": results})
    assert [r["status"] for r in results] == ["applied", "rejected"]
    changes, _ = await pull_all(client, signing_key, officer)
    assert changes
    for change in changes:
        _validator("Change").validate(change)


def test_the_schemas_refuse_what_the_server_refuses():
    push = _validator("PushBatch")
    assert not push.is_valid({"mutations": []})
    assert not push.is_valid(
        {"mutations": [{"client_id": "x", "mutation_id": 0, "name": "a.b", "args": {}}]}
    )
