"""Personal data at rest: nothing plain in any stored document, lookups by keyed hash,
key rotation and the one-off sealing of plaintext, the audit of staff reads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from bson import ObjectId

from backend.audit.models import AuditRecord
from backend.cases.models import Case
from backend.core import pii
from backend.core.settings import PiiSettings
from backend.customers import service as customers
from backend.customers.models import Customer
from backend.notifications import service as notifications
from backend.notifications.models import Channel, Delivery, TemplateKey
from backend.ops.pii import reseal_all
from backend.responses.models import Response
from backend.users.models import Role
from tests.backend.notifications.conftest import send_waiting
from tests.backend.responses.conftest import reply
from tests.factories import bearer, make_user

OVERDUE = (datetime.now(UTC) - timedelta(days=90)).date().isoformat()
NIC = "199012345678"
ADDRESS = "No. 42, Galle Road, Kollupitiya"
EMAIL = "nimal.perera@example.lk"
MOBILE = "0771234567"
ADDED_MOBILE = "+94715550101"
STRANGER = "94779998888"
PLAIN = (NIC, ADDRESS, EMAIL, MOBILE, "771234567", ADDED_MOBILE, "715550101", STRANGER)


def incident(n: int = 1) -> dict[str, Any]:
    return {
        "external_ref": f"CRM-{n}",
        "action": "arrears",
        "account_id": f"ACC-{n:04d}",
        "customer": {
            "id": f"CUS-{n:04d}",
            "name": "Nimal Perera",
            "region": "Western",
            "nic": NIC if n == 1 else f"{n:09d}V",
            "address": ADDRESS if n == 1 else f"No. {n}, Temple Road, Galle",
            "mobile": "077 123 4567" if n == 1 else f"07755{n:05d}",
            "email": EMAIL if n == 1 else f"customer{n}@example.lk",
        },
        "products": [
            {"id": "FIB-1", "type": "fibre", "arrears": {"amount": 125050, "currency": "LKR"}}
        ],
        "overdue_since": OVERDUE,
    }


@pytest.fixture
async def operator(signing_key):
    return bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))


@pytest.fixture
def ring(settings) -> Iterator[None]:
    """Lets a test change the process's key ring; the session's comes back after."""
    yield
    pii.install(settings.pii)


async def register(client, headers, n: int = 1) -> Case:
    response = await client.post("/incidents", json=incident(n), headers=headers)
    assert response.status_code == 201, response.text
    return await Case.get(ObjectId(response.json()["case_id"]))


async def raw_documents() -> Iterator[tuple[str, str]]:
    """Every stored document of every collection, as (collection, its text)."""
    database = Customer.get_pymongo_collection().database
    found = []
    for name in await database.list_collection_names():
        async for row in database[name].find({}):
            found.append((name, repr(row)))
    return iter(found)


async def test_no_stored_document_holds_personal_data_in_plain_text(
    client, operator, edges, senders
):
    case = await register(client, operator)
    again = incident(1) | {"external_ref": "CRM-2", "account_id": "ACC-0002"}
    again["customer"] = again["customer"] | {"mobile": "+94 71 555 0101"}
    assert (await client.post("/incidents", json=again, headers=operator)).status_code == 201
    customer = await Customer.get(case.customer_id)
    for contact in customer.contacts:  # the SMS goes to the newer number
        contact.primary = contact.value == ADDED_MOBILE or contact.kind != "mobile"
    await customer.save()
    await notifications.message_customer(
        actor=None, case=case, key=TemplateKey.PAYMENT_REMINDER, channels=[Channel.SMS]
    )
    await send_waiting(senders)
    assert (await reply(client, "94771234567", "will pay on Friday")).status_code == 200
    assert (await reply(client, STRANGER, "who is this")).status_code == 200
    assert (await client.get(f"/customers/{case.customer_id}", headers=operator)).is_success

    leaks = [(name, word) for name, text in await raw_documents() for word in PLAIN if word in text]
    assert leaks == []
    # while services and the API see the plain values
    customer = await Customer.get(case.customer_id)
    assert customer.nic == NIC and customer.address == ADDRESS
    assert {c.value for c in customer.contacts} >= {MOBILE, EMAIL, ADDED_MOBILE, ADDRESS}
    [sms] = await Delivery.find({"channel": "sms"}).to_list()
    assert sms.to == ADDED_MOBILE
    senders_seen = {r.sender async for r in Response.find({})}
    assert senders_seen == {"94771234567", STRANGER}


async def test_a_phone_or_national_id_finds_the_customer_through_its_hash(client, operator):
    case = await register(client, operator)
    await register(client, operator, 2)
    assert await customers.ids_with_phone("077-123 4567") == [case.customer_id]
    assert await customers.ids_with_mobile("94771234567") == []  # stored in its local form
    assert await customers.ids_with_email("Nimal.Perera@Example.LK") == [case.customer_id]
    assert await customers.ids_with_nic(" 199012345678 ") == [case.customer_id]
    assert await customers.ids_with_phone_or_nic(NIC) == [case.customer_id]
    assert await customers.ids_with_phone("0770000000") == []
    stored = await Customer.get_pymongo_collection().find_one({"_id": case.customer_id})
    assert stored["search_keys"] and all(":" in key for key in stored["search_keys"])
    reply_case = await Customer.get(case.customer_id)
    assert reply_case is not None


async def test_an_inbound_sms_is_matched_to_the_customer_by_hash(client, operator, edges):
    case = await register(client, operator)
    customer = await Customer.get(case.customer_id)
    customer.contacts[0].value = "+94771234567"
    await customer.save()  # Beanie's own write seals and hashes too
    answer = await reply(client, "94771234567", "will pay tomorrow")
    assert answer.status_code == 200, answer.text
    [stored] = await Response.find({}).to_list()
    assert stored.customer_id == case.customer_id and stored.account_ids == [case.account_id]
    listed = await client.get("/responses", headers=operator)
    assert [r["sender"] for r in listed.json()["items"]] == ["94771234567"]
    [read] = await AuditRecord.find({"action": "customer.pii_read"}).to_list()
    assert (read.entity_id, read.after) == (case.customer_id, {"via": "responses"})


async def test_console_search_finds_the_case_by_phone(client, operator, signing_key):
    from tests.console.conftest import sign_in

    case = await register(client, operator)
    staff = await make_user(Role.OPERATOR_OFFICER)
    await sign_in(client, signing_key, staff)
    page = await client.get("/console/cases", params={"q": "077 123 4567"})
    assert page.status_code == 200 and f"/console/cases/{case.id}" in page.text
    page = await client.get("/console/cases", params={"q": NIC})
    assert f"/console/cases/{case.id}" in page.text


def _settings(current: str, **keys: str) -> PiiSettings:
    return PiiSettings(keys=keys, current_key_id=current, index_key="i" * 40)


async def _key_ids() -> set[str]:
    rows = await Customer.get_pymongo_collection().find({}).to_list()
    return {row["nic"].split(":")[1] for row in rows}


async def test_a_rotated_key_keeps_every_record_readable_and_the_task_moves_them(
    client, operator, ring
):
    pii.install(_settings("k1", k1="a" * 40))
    ids = [(await register(client, operator, n)).customer_id for n in range(1, 4)]
    assert await _key_ids() == {"k1"}

    pii.install(_settings("k2", k1="a" * 40, k2="b" * 40))
    found = await customers.customers_unscoped(ids)
    assert found[ids[0]].nic == NIC and found[ids[0]].address == ADDRESS
    assert await customers.ids_with_phone(MOBILE) == [ids[0]]
    report = await reseal_all()
    assert report["customers"] == {"read": 3, "resealed": 3}
    assert await _key_ids() == {"k2"}
    again = await reseal_all()
    assert again["customers"] == {"read": 3, "resealed": 0}

    pii.install(_settings("k2", k2="b" * 40))  # the old key retired: nothing needs it
    found = await customers.customers_unscoped(ids)
    assert [c.nic for c in found.values()].count(NIC) == 1


async def test_plaintext_from_before_sealing_is_readable_then_sealed_once(client, operator):
    from tests.backend.ops.test_reseal import LEGACY, is_plain

    await Customer.get_pymongo_collection().insert_one(dict(LEGACY))
    assert (await Customer.get("CUS-OLD")).nic == "786543210V"
    assert await customers.ids_with_phone("0761112223") == []  # no hash yet

    report = await reseal_all()
    assert report["customers"]["resealed"] == 1
    stored = await Customer.get_pymongo_collection().find_one({"_id": "CUS-OLD"})
    assert not is_plain(stored)
    assert stored["version"] == 2  # not a change an officer's offline edit must merge with
    assert await customers.ids_with_phone("0761112223") == ["CUS-OLD"]
    assert (await reseal_all())["customers"]["resealed"] == 0


async def test_staff_reads_of_a_customer_are_audited(client, operator, signing_key):
    from tests.console.conftest import sign_in

    case = await register(client, operator)
    assert (await client.get(f"/customers/{case.customer_id}", headers=operator)).is_success
    staff = await make_user(Role.OPERATOR_OFFICER)
    await sign_in(client, signing_key, staff)
    assert (await client.get(f"/console/cases/{case.id}")).status_code == 200
    reads = await AuditRecord.find({"action": "customer.pii_read"}).sort("_id").to_list()
    assert [(r.entity_id, r.after["via"]) for r in reads] == [
        (case.customer_id, "api.customer"),
        (case.customer_id, "console.case"),
    ]
    assert reads[1].actor_uid == staff.id


async def test_the_phone_mirror_and_the_api_show_plain_values(client, operator):
    import json

    from backend.syncing import mirror

    case = await register(client, operator)
    doc = (await mirror.CASE_DOCUMENTS.build([str(case.id)]))[str(case.id)]
    written = json.dumps(doc.model_dump(mode="json"))
    assert pii.PREFIX not in written
    assert MOBILE in written and EMAIL in written and ADDRESS in written
    body = (await client.get(f"/customers/{case.customer_id}", headers=operator)).json()
    assert body["nic"] == NIC and body["address"] == ADDRESS
    assert {c["value"] for c in body["contacts"]} == {MOBILE, EMAIL, ADDRESS}
    assert "search_keys" not in body


async def test_what_sync_keeps_of_an_officers_contact_edit_is_sealed(client, signing_key):
    from datetime import UTC, datetime

    from sync.models import InboxItem
    from tests.backend.syncing.helpers import Device, push_ok
    from tests.backend.syncing.test_conflicts import _edit, _office_edit, _setup

    officer, supervisor, case, customer = await _setup()
    base = customer.version
    await _office_edit(supervisor, case, customer, value="+94770000001")
    edit = _edit(Device(officer), case, customer, base, datetime.now(UTC), value="+94770000002")
    [result] = await push_ok(client, signing_key, officer, [edit])
    assert result["status"] == "merged" and result["resolutions"][0]["server_value"]

    words = ("770000001", "770000002")
    leaks = [(name, w) for name, text in await raw_documents() for w in words if w in text]
    assert leaks == []
    item = await InboxItem.get(result["review_id"])  # the supervisor reads them plain
    assert item.resolutions[0].server_value == "+94770000001"
    assert item.args["changes"][0]["value"] == "+94770000002"
    inbox = await client.get(f"/sync/inbox/{item.id}", headers=bearer(signing_key, supervisor))
    assert inbox.json()["args"]["changes"][0]["value"] == "+94770000002"


async def test_retention_and_billing_keep_the_hashes_true(client, operator):
    from datetime import UTC, datetime

    from backend.core import db

    case = await register(client, operator)
    customer = await Customer.get(case.customer_id)
    newer = datetime.now(UTC)
    moved = Customer(
        id=customer.id, name=customer.name, nic="200112345678", source_updated_at=newer
    )
    await customers.take_from_bss(Customer, [(moved, {"name", "nic"})])  # BSS's new id
    assert await customers.ids_with_nic("200112345678") == [customer.id]
    assert await customers.ids_with_nic(NIC) == []
    assert await customers.ids_with_phone(MOBILE) == [customer.id]  # contacts untouched

    async with db.transaction() as session:
        await customers.minimise(
            actor=None, customer=await Customer.get(customer.id), session=session
        )
    assert await customers.ids_with_phone(MOBILE) == []
    assert await customers.ids_with_nic("200112345678") == []
