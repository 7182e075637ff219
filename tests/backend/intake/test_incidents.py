from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId
from redis import Redis

from backend.audit.models import AuditRecord
from backend.cases.models import Case, OpenCaseKey
from backend.customers.models import Account, Customer
from backend.intake.models import Incident
from backend.users.models import Role
from tests.factories import bearer, make_user

OVERDUE = (datetime.now(UTC) - timedelta(days=120)).date().isoformat()


def incident(**fields) -> dict:
    body = {
        "external_ref": "CRM-1001",
        "action": "arrears_and_cpe",
        "account_id": "ACC-0001",
        "customer": {
            "id": "CUS-0001",
            "name": "Nimal Perera",
            "region": "Western",
            "mobile": "077 123 4567",
            "email": "Nimal@Example.com",
        },
        "products": [
            {
                "id": "FIB-1",
                "type": "fibre",
                "arrears": {"amount": 125050, "currency": "LKR"},
                "cpe": [{"serial": "SN-1", "model": "HG8245H", "type": "router"}],
            },
            {"id": "TV-1", "type": "peo_tv", "arrears": {"amount": 30000, "currency": "LKR"}},
        ],
        "overdue_since": OVERDUE,
    }
    return {**body, **fields}


@pytest.fixture
async def operator(signing_key):
    return bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))


async def test_registers_one_case_for_all_the_accounts_products(client, operator):
    response = await client.post("/incidents", json=incident(), headers=operator)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["source"] == "manual" and body["arrears"] == {"amount": 155050, "currency": "LKR"}
    case = await Case.get(ObjectId(body["case_id"]))
    assert case.product_ids == ["FIB-1", "TV-1"] and case.incident_id == body["id"]
    assert case.phase == "new" and case.cpe_items[0].serial == "SN-1"
    assert case.outstanding.amount == 155050 and case.overdue_since.date().isoformat() == OVERDUE
    keys = {k.id async for k in OpenCaseKey.find({"case_id": body["case_id"]})}
    assert keys == {"ACC-0001|FIB-1|arrears_and_cpe", "ACC-0001|TV-1|arrears_and_cpe"}
    customer = await Customer.get("CUS-0001")
    assert {(c.kind, c.value, c.primary) for c in customer.contacts} == {
        ("mobile", "0771234567", True),
        ("email", "nimal@example.com", True),
    }
    account = await Account.get("ACC-0001")
    assert [p.id for p in account.products] == ["FIB-1", "TV-1"]
    actions = {r.action async for r in AuditRecord.find({})}
    assert {"case.open", "incident.create"} <= actions


async def test_allocation_is_enqueued_with_the_new_case(client, operator, services):
    redis = Redis.from_url(services.redis_url, decode_responses=True)
    redis.delete("celery")
    response = await client.post("/incidents", json=incident(), headers=operator)
    queued = redis.lrange("celery", 0, -1)
    assert any("allocation.allocate_new" in m and response.json()["case_id"] in m for m in queued)


async def test_second_incident_for_an_open_account_product_action_is_refused(client, operator):
    assert (await client.post("/incidents", json=incident(), headers=operator)).status_code == 201
    again = await client.post(
        "/incidents", json=incident(external_ref="CRM-2002"), headers=operator
    )
    assert again.status_code == 409 and again.json()["code"] == "case.already_open"
    assert await Incident.count() == 1 and await Case.count() == 1
    same_ref = await client.post(
        "/incidents",
        json=incident(account_id="ACC-0002", customer={"id": "CUS-0002", "name": "Other"}),
        headers=operator,
    )
    assert same_ref.status_code == 409 and same_ref.json()["code"] == "intake.incident_exists"
    assert await Customer.get("CUS-0002") is None  # nothing of a refused incident stays


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"action": "cpe", "products": [{"id": "P1", "type": "fibre"}]}, "products"),
        (
            {"action": "arrears", "products": [{"id": "P1", "type": "fibre"}]},
            "arrears",
        ),
        ({"overdue_since": "2999-01-01"}, "overdue_since"),
        ({"arrears": {"amount": 1, "currency": "LKR"}}, "arrears"),
        (
            {
                "action": "arrears",
                "products": [
                    {"id": "P1", "type": "fibre", "arrears": {"amount": 5, "currency": "USD"}}
                ],
            },
            "arrears",
        ),
        (
            {
                "products": [
                    {"id": "P1", "type": "f", "cpe": [{"serial": "S", "model": "m", "type": "t"}]},
                    {"id": "P1", "type": "f", "arrears": {"amount": 5, "currency": "LKR"}},
                ]
            },
            "products",
        ),
        ({"customer": {"id": "C1", "name": "N", "mobile": "12ab"}}, "customer.mobile"),
        ({"customer": {"id": "C1", "name": "N", "email": "not-an-email"}}, "customer.email"),
    ],
)
async def test_business_rules_are_refused_with_the_field(client, operator, changes, field):
    response = await client.post("/incidents", json=incident(**changes), headers=operator)
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "intake.invalid_incident"
    assert field in [e["field"] for e in body["errors"]]
    assert await Case.count() == 0 and await Customer.count() == 0


@pytest.mark.parametrize(
    "changes",
    [
        {"account_id": ""},
        {"account_id": "ACC|1"},
        {"action": "everything"},
        {"products": []},
        {"overdue_since": "15/01/2025"},
        {"overdue_since": 20250115},
        {"arrears": {"amount": 12.5, "currency": "LKR"}},
        {"arrears": {"amount": "100", "currency": "LKR"}},
        {"surprise": True},
    ],
)
async def test_malformed_bodies_are_refused_by_schema(client, operator, changes):
    response = await client.post("/incidents", json=incident(**changes), headers=operator)
    assert response.status_code == 422 and response.json()["code"] == "request.invalid"


async def test_missing_fields_are_named(client, operator):
    body = incident()
    del body["customer"]["name"], body["overdue_since"]
    response = await client.post("/incidents", json=body, headers=operator)
    fields = {e["field"] for e in response.json()["errors"]}
    assert response.status_code == 422 and {"customer.name", "overdue_since"} <= fields


@pytest.mark.parametrize("role", [Role.DRC_SUPERVISOR, Role.RECOVERY_OFFICER])
async def test_only_operator_staff_register_incidents(client, signing_key, role):
    user = await make_user(role)
    response = await client.post("/incidents", json=incident(), headers=bearer(signing_key, user))
    assert response.status_code == 403 and await Case.count() == 0


async def test_intake_adds_contacts_and_never_drops_any(client, operator):
    await client.post("/incidents", json=incident(), headers=operator)
    later = incident(
        external_ref="CRM-3003",
        account_id="ACC-0009",
        action="arrears",
        customer={"id": "CUS-0001", "name": "Nimal Perera", "mobile": "0719998888"},
        products=[{"id": "FIB-9", "type": "fibre", "arrears": {"amount": 500, "currency": "LKR"}}],
    )
    assert (await client.post("/incidents", json=later, headers=operator)).status_code == 201
    customer = await Customer.get("CUS-0001")
    assert sorted(c.value for c in customer.contacts) == [
        "0719998888",
        "0771234567",
        "nimal@example.com",
    ]
    assert [c.value for c in customer.contacts if c.primary and c.kind == "mobile"] == [
        "0771234567"
    ]
    assert customer.version == 2


async def test_an_account_stays_with_its_customer(client, operator):
    await client.post("/incidents", json=incident(), headers=operator)
    moved = incident(
        external_ref="CRM-4004",
        action="arrears",
        customer={"id": "CUS-0099", "name": "Someone Else"},
        products=[{"id": "NEW-1", "type": "voice", "arrears": {"amount": 100, "currency": "LKR"}}],
    )
    response = await client.post("/incidents", json=moved, headers=operator)
    assert response.status_code == 409
    assert response.json()["code"] == "customer.account_owner_mismatch"
    assert await Customer.get("CUS-0099") is None and await Case.count() == 1
