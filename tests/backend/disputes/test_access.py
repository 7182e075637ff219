"""Who raises, sees and resolves disputes: operator staff all; DRC staff on the cases
they hold; anything outside reach is not found."""

from __future__ import annotations

from backend.users.models import Role
from tests.backend.billing.helpers import put_invoice
from tests.backend.disputes.conftest import investigate, raise_one
from tests.factories import bearer, make_account, make_case, make_drc, make_user


async def test_an_officer_raises_on_their_own_case_and_only_sees_theirs(
    client, signing_key, as_operator
):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    mine = await raise_one(
        client, bearer(signing_key, officer), case.account_id, case_id=str(case.id)
    )
    assert mine["ro_id"] == officer.id and mine["raised_by"] == officer.id
    other = await raise_one(client, as_operator(), (await make_account()).id)
    listed = await client.get("/disputes", headers=bearer(signing_key, officer))
    assert [d["id"] for d in listed.json()["items"]] == [mine["id"]]
    hidden = await client.get(f"/disputes/{other['id']}", headers=bearer(signing_key, officer))
    assert hidden.status_code == 404 and hidden.json()["code"] == "dispute.not_found"
    refused = await investigate(client, bearer(signing_key, officer), mine["id"])
    assert refused.status_code == 403


async def test_drc_staff_need_a_case_they_hold(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    theirs = await make_case("negotiation", ro=officer)
    someone_elses = await make_case("negotiation")
    headers = bearer(signing_key, officer)
    attempts = [
        {"account_id": theirs.account_id},
        {"account_id": someone_elses.account_id, "case_id": str(someone_elses.id)},
        {"account_id": someone_elses.account_id, "case_id": str(theirs.id)},
    ]
    for fields in attempts:
        body = {"kind": "incorrect_charge", "description": "Wrong bill", **fields}
        refused = await client.post("/disputes", json=body, headers=headers)
        assert refused.status_code == 422 and refused.json()["code"] == "dispute.subject_invalid"
    assert (await client.get("/disputes", headers=headers)).json()["items"] == []


async def test_a_supervisor_sees_their_drcs_disputes_only(client, signing_key, as_operator):
    drc, other_drc = await make_drc(), await make_drc()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    ours = await make_case("assigned", drc_id=drc.id)
    theirs = await make_case("assigned", drc_id=other_drc.id)
    seen = await raise_one(client, as_operator(), ours.account_id)
    unseen = await raise_one(client, as_operator(), theirs.account_id)
    headers = bearer(signing_key, supervisor)
    listed = await client.get("/disputes", headers=headers, params={"drc_id": other_drc.id})
    assert [d["id"] for d in listed.json()["items"]] == []
    listed = await client.get("/disputes", headers=headers)
    assert [d["id"] for d in listed.json()["items"]] == [seen["id"]]
    assert (await client.get(f"/disputes/{unseen['id']}", headers=headers)).status_code == 404


async def test_unknown_accounts_and_payments_are_refused(client, as_operator):
    account = await make_account()
    await put_invoice("B-9", account_id="ACC-SOMEONE-ELSE")
    for fields in (
        {"account_id": "ACC-NOPE"},
        {"account_id": account.id, "payment_id": "0" * 24},
        {"account_id": account.id, "invoice_id": "INV-B-9"},
        {"account_id": account.id, "invoice_id": "INV-NEVER-SENT"},
    ):
        body = {"kind": "duplicate_charge", "description": "Charged twice", **fields}
        refused = await client.post("/disputes", json=body, headers=as_operator())
        assert refused.status_code == 422 and refused.json()["code"] == "dispute.subject_invalid"
    assert (await client.get("/disputes", headers=as_operator())).json()["items"] == []


async def test_lists_page_by_keyset_and_filter(client, as_operator):
    account = await make_account()
    made = [
        await raise_one(client, as_operator(), account.id, kind)
        for kind in ("incorrect_charge", "refund_request", "incorrect_charge")
    ]
    seen, cursor = [], None
    while True:
        params = {"limit": 2, "account_id": account.id, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/disputes", params=params, headers=as_operator())).json()
        seen += [d["id"] for d in page["items"]]
        if not (cursor := page["next_cursor"]):
            break
    assert seen == [d["id"] for d in reversed(made)]
    params = {"kind": "refund_request", "account_id": account.id}
    page = (await client.get("/disputes", params=params, headers=as_operator())).json()
    assert [d["id"] for d in page["items"]] == [made[1]["id"]]
    await investigate(client, as_operator(), made[0]["id"])
    page = (
        await client.get("/disputes", params={"status": "investigating"}, headers=as_operator())
    ).json()
    assert [d["id"] for d in page["items"]] == [made[0]["id"]]
