"""The billing API: operator staff see every account; a supervisor only an account of
their DRC's cases (anything else is not found); officers not at all."""

from __future__ import annotations

from backend.billing import service as billing
from backend.core.money import Money
from backend.users.models import Role
from tests.backend.billing.helpers import days_ago, put_invoice
from tests.factories import bearer, make_case, make_user


async def test_an_account_shows_its_balance_and_invoices(client, signing_key):
    case = await make_case("allocated")
    account = case.account_id
    await put_invoice("I1", account_id=account, amount="100.00", due=days_ago(20))
    await put_invoice("I2", account_id=account, amount="50.00", due=days_ago(2), status="paid")
    await billing.credit_invoices(account_id=account, amount=Money(amount=13_000), receipt_id="R1")
    operator = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))

    shown = await client.get(f"/billing/accounts/{account}", headers=operator)

    assert shown.status_code == 200, shown.text
    data = shown.json()
    assert data["customer_id"] == case.customer_id
    assert data["balance"]["owed"] == [{"amount": 0, "currency": "LKR"}]
    assert data["balance"]["unapplied"] == [{"amount": 3_000, "currency": "LKR"}]
    assert [i["id"] for i in data["invoices"]] == ["I1", "I2"]
    assert data["invoices"][0]["owed"] == {"amount": 0, "currency": "LKR"}
    invoice = await client.get("/billing/invoices/I1", headers=operator)
    assert invoice.json()["credits"][0]["receipt_id"] == "R1"


async def test_a_supervisor_sees_only_their_drcs_accounts(client, signing_key):
    case = await make_case("allocated")
    await put_invoice("I1", account_id=case.account_id)
    await put_invoice("I9", account_id="ACC-ELSEWHERE")
    own = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR, drc_id=case.drc_id))
    other = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR))
    officer = bearer(signing_key, await make_user(Role.RECOVERY_OFFICER, drc_id=case.drc_id))

    assert (
        await client.get(f"/billing/accounts/{case.account_id}", headers=own)
    ).status_code == 200
    assert (await client.get("/billing/invoices/I1", headers=own)).status_code == 200
    for path in (f"/billing/accounts/{case.account_id}", "/billing/invoices/I1"):
        hidden = await client.get(path, headers=other)
        assert hidden.status_code == 404, path
    assert (await client.get("/billing/accounts/ACC-ELSEWHERE", headers=own)).status_code == 404
    assert (await client.get("/billing/invoices/I1", headers=officer)).status_code == 403
    missing = await client.get("/billing/invoices/NOPE", headers=own)
    assert missing.json()["code"] == "billing.invoice_not_found"
