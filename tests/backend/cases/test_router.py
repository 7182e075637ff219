from __future__ import annotations

from backend.cases.phases import Phase
from backend.users.models import Role
from tests.factories import bearer, make_case, make_drc, make_user


async def test_officer_lists_only_own_cases(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    mine = [await make_case(p, ro=officer) for p in ("assigned", "negotiation", "mediation")]
    await make_case("negotiation", drc_id=officer.drc_id)  # a colleague's
    await make_case("negotiation")  # another DRC's
    page = (await client.get("/cases", headers=bearer(signing_key, officer))).json()
    assert {c["id"] for c in page["items"]} == {str(c.id) for c in mine}
    negotiation = (
        await client.get(
            "/cases", params={"phase": "negotiation"}, headers=bearer(signing_key, officer)
        )
    ).json()
    assert [c["id"] for c in negotiation["items"]] == [str(mine[1].id)]


async def test_counts_per_phase_within_reach(client, signing_key):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    for phase in ("allocated", "negotiation", "negotiation", "mediation"):
        await make_case(phase, drc_id=supervisor.drc_id)
    await make_case("negotiation")
    body = (await client.get("/cases/counts", headers=bearer(signing_key, supervisor))).json()
    assert body["counts"]["negotiation"] == 2 and body["counts"]["mediation"] == 1
    assert body["total"] == 4


async def test_pages_with_a_keyset_cursor_in_every_sort(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    drc = await make_drc()
    ids = {
        str((await make_case("allocated", drc_id=drc.id, arrears=1000 * i)).id) for i in range(1, 8)
    }
    for sort in ("updated", "arrears", "validity"):
        seen, cursor = [], None
        while True:
            params = {"drc_id": drc.id, "limit": 3, "sort": sort}
            if cursor:
                params["cursor"] = cursor
            page = (
                await client.get("/cases", params=params, headers=bearer(signing_key, admin))
            ).json()
            seen += [c["id"] for c in page["items"]]
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert len(seen) == len(set(seen)) == 7 and set(seen) == ids, sort
    by_arrears = (
        await client.get(
            "/cases",
            params={"drc_id": drc.id, "sort": "arrears"},
            headers=bearer(signing_key, admin),
        )
    ).json()["items"]
    amounts = [c["outstanding"]["amount"] for c in by_arrears]
    assert amounts == sorted(amounts, reverse=True)


async def test_detail_and_404_outside_reach(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    detail = await client.get(f"/cases/{case.id}", headers=bearer(signing_key, officer))
    assert detail.status_code == 200 and detail.json()["phase"] == Phase.NEGOTIATION
    assert detail.json()["history"][-1]["to_phase"] == "negotiation"
    stranger = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    hidden = await client.get(f"/cases/{case.id}", headers=bearer(signing_key, stranger))
    assert hidden.status_code == 404 and hidden.json()["code"] == "case.not_found"


async def test_operator_withdraws_a_case(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    case = await make_case("negotiation")
    response = await client.post(
        f"/cases/{case.id}/withdraw",
        json={"reason": "paid at branch"},
        headers=bearer(signing_key, admin),
    )
    assert response.status_code == 200 and response.json()["outcome"] == "withdrawn"
    again = await client.post(
        f"/cases/{case.id}/withdraw",
        json={"reason": "paid at branch"},
        headers=bearer(signing_key, admin),
    )
    assert again.status_code == 409 and again.json()["code"] == "case.illegal_transition"


async def test_a_crafted_cursor_is_a_422_not_a_500(client, signing_key):
    from backend.core.pagination import encode_keyset

    admin = await make_user(Role.OPERATOR_ADMIN)
    for cursor in (encode_keyset("not-a-date", "zz"), encode_keyset(1, 2, 3), "Zm9v"):
        response = await client.get(
            "/cases", params={"cursor": cursor}, headers=bearer(signing_key, admin)
        )
        assert response.status_code == 422, response.text
        assert response.json()["code"] == "request.invalid_cursor"
