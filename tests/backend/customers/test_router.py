from __future__ import annotations

import pytest

from backend.audit.models import AuditRecord
from backend.customers.models import Customer
from backend.users.models import Role
from tests.factories import bearer, make_case, make_drc, make_user


def contacts_url(case) -> str:
    return f"/cases/{case.id}/customer/contacts"


@pytest.fixture
async def held(signing_key):
    """A negotiation case, the officer holding it and their headers."""
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    return case, officer, bearer(signing_key, officer)


async def test_officer_reads_the_customer_of_their_case(client, held):
    case, _, headers = held
    response = await client.get(f"/customers/{case.customer_id}", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["version"] == 1 and body["contacts"][0]["kind"] == "mobile"
    [account] = body["accounts"]
    assert account["id"] == case.account_id
    assert account["products"][0]["cpe"][0]["type"] == "router"
    assert account["products"][0]["arrears"] == {"amount": 150000, "currency": "LKR"}


async def test_customers_outside_reach_are_not_found(client, signing_key, held):
    case, officer, _ = held
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    stranger = await make_user(Role.DRC_SUPERVISOR, drc_id=(await make_drc()).id)
    operator = await make_user(Role.OPERATOR_OFFICER)
    url = f"/customers/{case.customer_id}"
    for user, status in ((colleague, 404), (stranger, 404), (supervisor, 200), (operator, 200)):
        response = await client.get(url, headers=bearer(signing_key, user))
        assert response.status_code == status, (user.role, response.text)
    missing = await client.get("/customers/CUS-NOPE", headers=bearer(signing_key, operator))
    assert missing.status_code == 404 and missing.json()["code"] == "customer.not_found"


async def test_contacts_are_added_corrected_and_removed_with_an_audit_each(client, held):
    case, officer, headers = held
    customer = await Customer.get(case.customer_id)
    mobile = customer.contacts[0]
    body = {
        "base_version": 1,
        "changes": [
            {"op": "add", "kind": "email", "value": " Kamal@Example.LK "},
            {"op": "add", "kind": "mobile", "value": "+94 71 555 0101", "primary": True},
            {"op": "add", "kind": "address", "value": "12 Temple Road,\n Galle"},
            {"op": "update", "id": mobile.id, "value": "0779990000"},
        ],
    }
    response = await client.patch(contacts_url(case), json=body, headers=headers)
    assert response.status_code == 200, response.text
    updated = response.json()
    assert updated["version"] == 2
    found = {(c["kind"], c["value"], c["primary"]) for c in updated["contacts"]}
    assert found == {
        ("mobile", "0779990000", False),
        ("mobile", "+94715550101", True),
        ("email", "kamal@example.lk", True),
        ("address", "12 Temple Road, Galle", True),
    }
    assert all(c["updated_by"] == officer.id for c in updated["contacts"])
    edited = next(c for c in updated["contacts"] if c["id"] == mobile.id)
    removal = {"base_version": 2, "changes": [{"op": "remove", "id": edited["id"]}]}
    response = await client.patch(contacts_url(case), json=removal, headers=headers)
    assert response.json()["version"] == 3 and len(response.json()["contacts"]) == 3
    records = [r async for r in AuditRecord.find({"entity_type": "customer"}).sort("_id")]
    actions = [r.action for r in records]
    # three additions, the old primary mobile demoted, its value corrected, then removed
    assert actions.count("customer.contact_add") == 3
    assert (
        actions.count("customer.contact_update") == 2 and actions[-1] == "customer.contact_remove"
    )
    assert records[-1].before["value"] == "••••0000" and records[-1].after is None
    assert all(r.actor_uid == officer.id and r.drc_id == case.drc_id for r in records)


async def test_a_stale_base_version_is_a_conflict_and_changes_nothing(client, held):
    case, _, headers = held
    first = {
        "base_version": 1,
        "changes": [{"op": "add", "kind": "landline", "value": "0112345678"}],
    }
    assert (await client.patch(contacts_url(case), json=first, headers=headers)).is_success
    stale = {"base_version": 1, "changes": [{"op": "add", "kind": "email", "value": "a@b.lk"}]}
    response = await client.patch(contacts_url(case), json=stale, headers=headers)
    assert response.status_code == 409 and response.json()["code"] == "customer.changed"
    assert response.json()["current_version"] == 2
    customer = await Customer.get(case.customer_id)
    assert customer.version == 2 and {c.kind for c in customer.contacts} == {"mobile", "landline"}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"op": "add", "kind": "mobile", "value": "12-ab"}, "customer.contact_invalid"),
        ({"op": "add", "kind": "email", "value": "no at sign"}, "customer.contact_invalid"),
        ({"op": "add", "kind": "address", "value": "x"}, "customer.contact_invalid"),
        ({"op": "update", "id": "0123456789ab", "primary": True}, "customer.contact_unknown"),
        ({"op": "remove", "id": "0123456789ab"}, "customer.contact_unknown"),
    ],
)
async def test_invalid_changes_are_refused_with_a_code(client, held, change, code):
    case, _, headers = held
    body = {"base_version": 1, "changes": [change]}
    response = await client.patch(contacts_url(case), json=body, headers=headers)
    assert response.status_code == 422 and response.json()["code"] == code
    assert (await Customer.get(case.customer_id)).version == 1


async def test_a_contact_already_recorded_is_refused(client, held):
    case, _, headers = held
    value = (await Customer.get(case.customer_id)).contacts[0].value
    body = {"base_version": 1, "changes": [{"op": "add", "kind": "mobile", "value": value}]}
    response = await client.patch(contacts_url(case), json=body, headers=headers)
    assert response.status_code == 422 and response.json()["code"] == "customer.contact_duplicate"


@pytest.mark.parametrize(
    "body",
    [
        {"base_version": 1, "changes": []},
        {"base_version": 0, "changes": [{"op": "remove", "id": "0123456789ab"}]},
        {"base_version": "1", "changes": [{"op": "remove", "id": "0123456789ab"}]},
        {"base_version": 1, "changes": [{"op": "replace", "id": "0123456789ab"}]},
        {"base_version": 1, "changes": [{"op": "remove", "id": "x", "value": "y"}]},
        {"changes": [{"op": "remove", "id": "0123456789ab"}]},
    ],
)
async def test_malformed_bodies_are_refused(client, held, body):
    case, _, headers = held
    response = await client.patch(contacts_url(case), json=body, headers=headers)
    assert response.status_code == 422 and response.json()["code"] == "request.invalid"


async def test_who_may_update_contacts(client, signing_key, held):
    case, officer, _ = held
    body = {"base_version": 1, "changes": [{"op": "add", "kind": "email", "value": "a@b.lk"}]}
    other_drc = await make_user(Role.RECOVERY_OFFICER)
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    operator = await make_user(Role.OPERATOR_ADMIN)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    url = contacts_url(case)
    for user, status, code in (
        (other_drc, 404, "case.not_found"),
        (colleague, 404, "case.not_found"),
        (operator, 403, "case.not_holder"),
    ):
        response = await client.patch(url, json=body, headers=bearer(signing_key, user))
        assert (response.status_code, response.json()["code"]) == (status, code)
    ok = await client.patch(url, json=body, headers=bearer(signing_key, supervisor))
    assert ok.status_code == 200 and ok.json()["version"] == 2


async def test_a_case_outside_reach_is_404_before_the_body_is_judged(client, signing_key, held):
    case, _, _ = held
    stranger = await make_user(Role.RECOVERY_OFFICER)
    response = await client.patch(
        contacts_url(case), json={"nonsense": True}, headers=bearer(signing_key, stranger)
    )
    assert response.status_code == 404


async def test_closed_cases_take_no_contact_updates(client, signing_key):
    case = await make_case("closed")
    operator = await make_user(Role.OPERATOR_ADMIN)
    body = {"base_version": 1, "changes": [{"op": "add", "kind": "email", "value": "a@b.lk"}]}
    response = await client.patch(
        contacts_url(case), json=body, headers=bearer(signing_key, operator)
    )
    assert response.status_code == 409 and response.json()["code"] == "case.closed"
