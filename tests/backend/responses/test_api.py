"""Operator staff read the replies, filtered; nobody else does."""

from __future__ import annotations

from backend.customers.models import Customer
from backend.users.models import Role
from tests.backend.responses.conftest import reply
from tests.factories import bearer, make_case, make_user


async def test_operator_staff_list_replies_with_filters_and_pages(client, signing_key):
    case = await make_case("negotiation")
    customer = await Customer.get(case.customer_id)
    mobile = customer.contacts[0].value
    for text in ("will pay tomorrow", "not my bill", "hello"):
        await reply(client, mobile, text)
    await reply(client, "+94710000001", "who is this")
    staff = bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))

    everything = (await client.get("/responses", headers=staff)).json()["items"]
    assert [r["text"] for r in everything][:1] == ["who is this"]  # newest first
    assert len(everything) == 4
    first = (await client.get("/responses?limit=3", headers=staff)).json()
    rest = await client.get(f"/responses?cursor={first['next_cursor']}", headers=staff)
    assert len(rest.json()["items"]) == 1
    unmatched = (await client.get("/responses?matched=false", headers=staff)).json()["items"]
    assert [r["sender"] for r in unmatched] == ["+94710000001"]
    promises = (await client.get("/responses?intent=promise", headers=staff)).json()["items"]
    assert len(promises) == 1 and promises[0]["promised_on"] and promises[0]["work_item_id"]
    mine = await client.get(f"/responses?customer_id={customer.id}&channel=sms", headers=staff)
    assert len(mine.json()["items"]) == 3
    one = await client.get(f"/responses/{promises[0]['id']}", headers=staff)
    assert one.json()["customer_id"] == customer.id and one.json()["matched"] is True

    supervisor = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR))
    assert (await client.get("/responses", headers=supervisor)).status_code == 403
    missing = await client.get(f"/responses/{'0' * 24}", headers=staff)
    assert missing.status_code == 404
