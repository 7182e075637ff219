"""The disputes pages over HTTP: raised, investigated and resolved through the service the
API uses; a refused form shows its problem beside the field and stores nothing; a
supervisor sees their DRC's disputes, decides none, and another DRC's is not found."""

from __future__ import annotations

from backend.customers.models import Customer
from backend.disputes import service as disputes
from backend.disputes.models import BillingDispute
from backend.disputes.schemas import DisputeCreate
from backend.users.models import Role
from tests.console.test_admin_pages import _as, _post, problem_beside
from tests.factories import make_account, make_case, make_drc, make_user


async def _raised(account_id: str) -> str:
    operator = await make_user(Role.OPERATOR_OFFICER)
    data = DisputeCreate(kind="incorrect_charge", account_id=account_id, description="Wrong")
    return (await disputes.raise_dispute(actor=operator, data=data)).id


async def test_operator_staff_raise_investigate_and_resolve(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_OFFICER)
    account = await make_account()
    refused = await _post(
        client,
        "/console/disputes/new",
        kind="incorrect_charge",
        account_id=account.id,
        amount="12.345",
        description="Billed twice",
    )
    assert refused.status_code == 422 and problem_beside(refused.text, "amount")
    assert 'value="Billed twice"' not in refused.text and "Billed twice" in refused.text
    assert await BillingDispute.find_all().count() == 0
    made = await _post(
        client,
        "/console/disputes/new",
        kind="duplicate_charge",
        account_id=account.id,
        amount="1250.50",
        description="Billed twice",
    )
    assert made.status_code == 303, made.text
    page = await client.get(made.headers["location"])
    assert "Raised: collection contact is on hold." in page.text and "LKR 1,250.50" in page.text
    dispute_id = made.headers["location"].split("/")[-1].split("?")[0]
    listed = await client.get("/console/disputes")
    assert f'data-item-id="{dispute_id}"' in listed.text
    polled = await client.get(
        "/console/disputes", headers={"hx-request": "true", "hx-target": "queue-results"}
    )
    assert polled.text.lstrip().startswith('<section id="queue-results"')

    early = await _post(
        client, f"/console/disputes/{dispute_id}/resolve", outcome="rejected", note="No error"
    )
    assert early.status_code == 409 and "cannot be resolved" in early.text
    taken = await _post(client, f"/console/disputes/{dispute_id}/investigate")
    assert taken.status_code == 303 and taken.headers["location"].endswith("done=investigate")
    no_amount = await _post(
        client,
        f"/console/disputes/{dispute_id}/resolve",
        outcome="credit",
        note="Credit the May charge",
    )
    assert no_amount.status_code == 422 and "needs an amount" in problem_beside(
        no_amount.text, "amount"
    )
    assert (await BillingDispute.get(dispute_id)).status == "investigating"
    done = await _post(
        client,
        f"/console/disputes/{dispute_id}/resolve",
        outcome="credit",
        amount="1250.50",
        note="Credit the May charge",
    )
    assert done.status_code == 303 and done.headers["location"].endswith("done=resolve")
    resolved = await client.get(f"/console/disputes/{dispute_id}")
    assert "BSS is to issue a credit note for this amount." in resolved.text
    assert (await Customer.get(account.customer_id)).dispute is None  # fmt: skip


async def test_a_supervisor_sees_their_drcs_disputes_and_decides_none(app, client, signing_key):
    drc = await make_drc()
    await _as(client, signing_key, Role.DRC_SUPERVISOR, drc_id=drc.id)
    ours = await _raised((await make_case("assigned", drc_id=drc.id)).account_id)
    theirs = await _raised((await make_case("assigned")).account_id)
    listed = await client.get("/console/disputes")
    assert f'data-item-id="{ours}"' in listed.text and theirs not in listed.text
    page = await client.get(f"/console/disputes/{ours}")
    assert "Operator staff investigate and resolve disputes." in page.text
    assert (await client.get(f"/console/disputes/{theirs}")).status_code == 404
    refused = await _post(client, f"/console/disputes/{ours}/investigate")
    assert refused.status_code == 403
    assert (await BillingDispute.get(ours)).status == "open"
