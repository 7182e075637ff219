"""The staff worklist over the API: operator staff list, claim and close items."""

from __future__ import annotations

from datetime import date

from backend.audit.models import AuditRecord
from backend.users.models import Role
from backend.worklist import service as worklist
from backend.worklist.models import WorkKind
from tests.factories import bearer, make_user


async def _items(n: int = 3) -> list[str]:
    made = []
    for day in range(n, 0, -1):
        item = await worklist.open_item(
            kind=WorkKind.PROMISE_FOLLOW_UP if day % 2 else WorkKind.UNMATCHED_RESPONSE,
            title=f"item due on the {day}th",
            due=date(2026, 12, day),
            customer_id=f"CUS-{day}",
        )
        made.append(str(item.id))
    return made


async def test_operator_staff_page_through_items_soonest_due_first(client, signing_key):
    await _items(5)
    staff = bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))
    first = (await client.get("/worklist?limit=2", headers=staff)).json()
    assert [i["due"] for i in first["items"]] == ["2026-12-01", "2026-12-02"]
    rest = await client.get(f"/worklist?limit=10&cursor={first['next_cursor']}", headers=staff)
    assert [i["due"] for i in rest.json()["items"]] == ["2026-12-03", "2026-12-04", "2026-12-05"]
    assert rest.json()["next_cursor"] is None
    unmatched = await client.get("/worklist?kind=unmatched_response", headers=staff)
    assert {i["kind"] for i in unmatched.json()["items"]} == {"unmatched_response"}
    soon = await client.get("/worklist?due_before=2026-12-03", headers=staff)
    assert len(soon.json()["items"]) == 2
    bad = await client.get("/worklist?cursor=not-ours", headers=staff)
    assert bad.status_code == 422


async def test_claim_and_close_with_a_note_are_audited(client, signing_key):
    [item_id] = await _items(1)
    officer = await make_user(Role.OPERATOR_OFFICER)
    other = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    mine = bearer(signing_key, officer)

    claimed = await client.post(f"/worklist/{item_id}/claim", headers=mine)
    assert claimed.status_code == 200, claimed.text
    assert (claimed.json()["status"], claimed.json()["assignee"]) == ("claimed", officer.id)
    taken = await client.post(f"/worklist/{item_id}/claim", headers=other)
    assert taken.status_code == 409 and taken.json()["code"] == "worklist.claimed"
    assert (await client.get(f"/worklist?assignee={officer.id}", headers=mine)).json()["items"]

    empty = await client.post(f"/worklist/{item_id}/close", json={"note": ""}, headers=mine)
    assert empty.status_code == 422
    closed = await client.post(
        f"/worklist/{item_id}/close", json={"note": "called; paid at the branch"}, headers=mine
    )
    assert closed.json()["status"] == "done" and closed.json()["closed_at"]
    assert closed.json()["notes"][0]["text"] == "called; paid at the branch"
    again = await client.post(f"/worklist/{item_id}/close", json={"note": "x"}, headers=mine)
    assert again.status_code == 409 and again.json()["code"] == "worklist.closed"
    actions = [r.action async for r in AuditRecord.find({"entity_id": item_id}).sort("+_id")]
    assert actions == ["worklist.open", "worklist.claim", "worklist.close"]


async def test_only_operator_staff_reach_the_worklist(client, signing_key):
    [item_id] = await _items(1)
    supervisor = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR))
    assert (await client.get("/worklist", headers=supervisor)).status_code == 403
    refused = await client.post(f"/worklist/{item_id}/claim", headers=supervisor)
    assert refused.status_code == 403
    staff = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    missing = await client.get(f"/worklist/{'0' * 24}", headers=staff)
    assert missing.status_code == 404 and missing.json()["code"] == "worklist.not_found"
