"""The receipts API: operator staff only, keyset pages, problems with stable codes."""

from __future__ import annotations

import pytest

from backend.core.money import Money
from backend.receipts import service as receipts
from backend.receipts.models import Source
from backend.users.models import Role
from tests.backend.payments.helpers import reload
from tests.backend.receipts.helpers import open_case, report
from tests.factories import bearer, make_user


async def _suspense(count: int) -> list[str]:
    return [
        (await receipts.receive(report(1_000 + n, reference="NOBODY"))).id for n in range(count)
    ]


async def test_the_suspense_queue_pages_newest_first(client, signing_key):
    staff = await make_user(Role.OPERATOR_OFFICER)
    held = await _suspense(3)
    case = await open_case()
    await receipts.receive(report(1_000, reference=case.account_id))  # booked: not listed
    headers = bearer(signing_key, staff)
    first = await client.get(
        "/receipts", params={"status": "suspense", "limit": 2}, headers=headers
    )
    assert first.status_code == 200, first.text
    body = first.json()
    assert [r["id"] for r in body["items"]] == held[::-1][:2]
    rest = await client.get(
        "/receipts",
        params={"status": "suspense", "limit": 2, "cursor": body["next_cursor"]},
        headers=headers,
    )
    assert [r["id"] for r in rest.json()["items"]] == held[:1]
    assert rest.json()["next_cursor"] is None


async def test_a_bad_cursor_is_a_problem(client, signing_key):
    staff = await make_user(Role.OPERATOR_ADMIN)
    response = await client.get(
        "/receipts", params={"cursor": "bm90LWEtY3Vyc29y"}, headers=bearer(signing_key, staff)
    )
    assert response.status_code == 422 and response.json()["code"] == "request.invalid_cursor"


@pytest.mark.parametrize("role", [Role.DRC_SUPERVISOR, Role.RECOVERY_OFFICER])
async def test_drc_staff_cannot_see_or_work_the_queue(client, signing_key, role):
    user = await make_user(role)
    [held] = await _suspense(1)
    headers = bearer(signing_key, user)
    listed = await client.get("/receipts", params={"status": "suspense"}, headers=headers)
    assert listed.status_code == 403
    assert (await client.get(f"/receipts/{held}", headers=headers)).status_code == 403
    case = await open_case()
    matched = await client.post(
        f"/receipts/{held}/match", json={"account_id": case.account_id}, headers=headers
    )
    assert matched.status_code == 403
    assert (await reload(case)).outstanding == Money(amount=50_000)


async def test_an_unknown_receipt_is_not_found(client, signing_key):
    staff = await make_user(Role.OPERATOR_OFFICER)
    response = await client.get("/receipts/mpesa:NOSUCH1", headers=bearer(signing_key, staff))
    assert response.status_code == 404 and response.json()["code"] == "receipts.not_found"


async def test_match_and_refund_over_http(client, signing_key):
    staff = await make_user(Role.OPERATOR_OFFICER)
    case = await open_case()
    first, second = await _suspense(2)
    headers = bearer(signing_key, staff)
    empty = await client.post(f"/receipts/{first}/match", json={}, headers=headers)
    assert empty.status_code == 422 and empty.json()["code"] == "receipts.match_refused"
    wrong = await client.post(
        f"/receipts/{first}/match", json={"account_id": "NO-SUCH"}, headers=headers
    )
    assert wrong.status_code == 422 and wrong.json()["code"] == "receipts.match_refused"
    matched = await client.post(
        f"/receipts/{first}/match", json={"account_id": case.account_id}, headers=headers
    )
    assert matched.status_code == 200 and matched.json()["match"] == "manual"
    booked = await client.post(
        f"/receipts/{first}/refund", json={"reason": "asked for it back"}, headers=headers
    )
    assert booked.status_code == 409 and booked.json()["code"] == "receipts.already_booked"
    refunded = await client.post(
        f"/receipts/{second}/refund", json={"reason": "asked for it back"}, headers=headers
    )
    assert refunded.status_code == 200 and refunded.json()["status"] == "refunded"
    again = await client.post(
        f"/receipts/{second}/match", json={"account_id": case.account_id}, headers=headers
    )
    assert again.status_code == 409 and again.json()["code"] == "receipts.already_refunded"


async def test_every_sighting_of_a_receipt_is_listed(client, signing_key):
    staff = await make_user(Role.OPERATOR_OFFICER)
    sent = report(1_000, reference="NOBODY", raw={"TransID": "RKT", "TransAmount": "10.00"})
    await receipts.receive(sent)
    await receipts.receive(sent.model_copy(update={"source": Source.STATUS_QUERY}))
    response = await client.get(
        f"/receipts/{sent.receipt_id}/sightings", headers=bearer(signing_key, staff)
    )
    assert response.status_code == 200
    assert [s["source"] for s in response.json()] == ["callback", "status_query"]
    assert response.json()[0]["raw"] == {"TransID": "RKT", "TransAmount": "10.00"}
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    hidden = await client.get(
        f"/receipts/{sent.receipt_id}/sightings", headers=bearer(signing_key, supervisor)
    )
    assert hidden.status_code == 403
