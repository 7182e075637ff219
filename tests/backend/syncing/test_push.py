from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from backend.allocation import assignment
from backend.allocation.schemas import AssignmentCreate
from backend.negotiations.models import Negotiation
from backend.notifications.models import Notification
from backend.users.models import Role
from sync.models import InboxItem, MutationRecord, SyncClient
from tests.backend.syncing.helpers import Device, push, push_ok
from tests.factories import bearer, make_case, make_user


async def test_a_batch_applies_in_order_and_a_replay_changes_nothing(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    phone = Device(officer)
    batch = [phone.negotiation(str(case.id)) for _ in range(3)]
    first = await push_ok(client, signing_key, officer, batch)
    assert [r["status"] for r in first] == ["applied"] * 3
    assert first[0]["entity"] == f"case:{case.id}" and first[-1]["server_version"] >= 1
    again = await push_ok(client, signing_key, officer, list(reversed(batch)))
    assert list(reversed(again)) == first
    assert await Negotiation.find({"case_id": str(case.id)}).count() == 3
    ledger = await SyncClient.get(phone.client_id)
    assert ledger.last_mutation_id == 3 and ledger.uid == officer.id


async def test_a_gap_is_retried_and_moves_nothing(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    phone = Device(officer)
    one, two, three = (phone.negotiation(str(case.id)) for _ in range(3))
    results = await push_ok(client, signing_key, officer, [three])
    assert results[0]["status"] == "retry" and results[0]["code"] == "sync.mutation_gap"
    assert await Negotiation.find({"case_id": str(case.id)}).count() == 0
    results = await push_ok(client, signing_key, officer, [two, one, three])
    assert [r["status"] for r in results] == ["applied"] * 3


async def test_a_rejected_mutation_is_kept_and_the_queue_goes_on(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    phone = Device(officer)
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    bad = phone.negotiation(str(case.id), contacted_at=future)
    dependent = phone.mutation(
        "request.create",
        {"case_id": str(case.id), "type": "other", "details": "follow-up on the call"},
        depends_on=[bad["mutation_id"]],
    )
    good = phone.negotiation(str(case.id))
    results = await push_ok(client, signing_key, officer, [bad, dependent, good])
    assert [r["status"] for r in results] == ["rejected", "quarantined", "applied"]
    assert results[0]["code"] == "negotiation.contacted_at_invalid"
    assert results[1]["code"] == "sync.dependency_not_applied"
    items = await InboxItem.find({"client_id": phone.client_id}).sort("mutation_id").to_list()
    assert [(i.kind, i.status, i.args) for i in items] == [
        ("rejected", "open", bad["args"]),
        ("quarantined", "open", dependent["args"]),
    ]
    assert results[0]["review_id"] == str(items[0].id)


async def test_a_case_reassigned_away_quarantines_the_mutation(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    other = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    await assignment.assign(actor=supervisor, case=case, data=AssignmentCreate(ro_id=other.id))
    phone = Device(officer)
    results = await push_ok(client, signing_key, officer, [phone.negotiation(str(case.id))])
    assert results[0]["status"] == "quarantined" and results[0]["code"] == "sync.not_holder"
    assert await Negotiation.find({"case_id": str(case.id)}).count() == 0
    told = await Notification.find({"user_id": officer.id, "kind": "mutation_in_review"}).to_list()
    assert [n.case_id for n in told] == [str(case.id)]
    inbox = await client.get("/sync/inbox", headers=bearer(signing_key, supervisor))
    [item] = inbox.json()["items"]
    assert item["kind"] == "quarantined" and item["uid"] == officer.id
    # The supervisor re-applies it: the record reaches the case, the officer sees the outcome.
    reapplied = await client.post(
        f"/sync/inbox/{item['id']}/reapply",
        json={"note": "call happened before the handover"},
        headers=bearer(signing_key, supervisor),
    )
    assert reapplied.status_code == 200, reapplied.text
    assert reapplied.json()["status"] == "reapplied"
    assert await Negotiation.find({"case_id": str(case.id)}).count() == 1
    outcomes = await client.get("/sync/mutations", headers=bearer(signing_key, officer))
    [outcome] = outcomes.json()["items"]
    assert outcome["result"]["status"] == "quarantined"
    assert outcome["review"]["status"] == "reapplied"
    again = await client.post(
        f"/sync/inbox/{item['id']}/dismiss",
        json={"reason": "twice"},
        headers=bearer(signing_key, supervisor),
    )
    assert again.status_code == 409 and again.json()["code"] == "sync.review_closed"


async def test_the_inbox_is_per_drc_and_operators_see_all(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("closed")
    phone = Device(officer)
    await push_ok(client, signing_key, officer, [phone.negotiation(str(case.id))])
    own = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    stranger = await make_user(Role.DRC_SUPERVISOR)
    operator = await make_user(Role.OPERATOR_OFFICER)
    seen = {}
    for who in (own, stranger, operator):
        listed = await client.get("/sync/inbox", headers=bearer(signing_key, who))
        seen[who.role, who.drc_id] = len(listed.json()["items"])
    assert list(seen.values()) == [1, 0, 1]
    item = await InboxItem.find_one({"client_id": phone.client_id})
    hidden = await client.get(f"/sync/inbox/{item.id}", headers=bearer(signing_key, stranger))
    assert hidden.status_code == 404
    refused = await client.get("/sync/inbox", headers=bearer(signing_key, officer))
    assert refused.status_code == 403


async def test_old_apps_get_426_and_nothing_is_applied(client, signing_key, settings):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    phone = Device(officer)
    old = phone.mutation("negotiation.record", {"case_id": str(case.id)}, app_version="0.9.7")
    response = await push(client, signing_key, officer, [old])
    assert response.status_code == 426
    assert response.json()["code"] == "sync.client_outdated"
    assert await MutationRecord.find({"client_id": phone.client_id}).count() == 0


async def test_a_client_id_belongs_to_one_user(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    phone = Device(officer)
    await push_ok(client, signing_key, officer, [phone.negotiation(str(case.id))])
    intruder = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    phone.user = intruder
    results = await push_ok(client, signing_key, intruder, [phone.negotiation(str(case.id))])
    assert results[0]["status"] == "rejected" and results[0]["code"] == "sync.client_not_yours"
    assert (await SyncClient.get(phone.client_id)).last_mutation_id == 1


async def test_unknown_names_and_bad_arguments_are_rejected_and_kept(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    phone = Device(officer)
    results = await push_ok(
        client,
        signing_key,
        officer,
        [
            phone.mutation("case.teleport", {"case_id": "0" * 24}),
            phone.mutation("negotiation.record", {"case_id": "0" * 24, "channel": "pigeon"}),
        ],
    )
    assert [r["code"] for r in results] == ["sync.unknown_mutation", "request.invalid"]
    assert await InboxItem.find({"client_id": phone.client_id}).count() == 2


async def test_arguments_mongodb_cannot_store_are_kept_as_text(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    phone = Device(officer)
    odd = {"\u0000key": [2**80], "note": "\ud800"}
    body = json.dumps({"mutations": [phone.mutation("case.odd", odd)]})  # escapes the surrogate
    response = await client.post(
        "/sync/push",
        content=body,
        headers={**bearer(signing_key, officer), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert result["status"] == "rejected" and result["code"] == "sync.unknown_mutation"
    item = await InboxItem.get(result["review_id"])
    assert (
        set(item.args) == {"unstorable_json"}
        and "1208925819614629174706176" in item.args["unstorable_json"]
    )
