from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.cases import service as cases
from backend.core import db
from backend.cpe.models import CpeCollection
from backend.customers import service as customers
from backend.customers.models import Customer
from backend.customers.schemas import ContactsUpdate
from backend.negotiations.models import Negotiation
from backend.users.models import Role
from sync.models import InboxItem
from tests.backend.syncing.helpers import Device, now_iso, push_ok
from tests.factories import make_case, make_user


async def _setup(phase: str = "negotiation"):
    officer = await make_user(Role.RECOVERY_OFFICER)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    case = await make_case(phase, ro=officer)
    customer = await Customer.get(case.customer_id)
    return officer, supervisor, case, customer


async def _office_edit(supervisor, case, customer, **change):
    data = ContactsUpdate(
        base_version=customer.version,
        changes=[{"op": "update", "id": customer.contacts[0].id, **change}],
    )
    await customers.update_contacts(actor=supervisor, case=case, data=data)


def _edit(phone, case, customer, base, when, **change):
    return phone.mutation(
        "customer.update_contact",
        {
            "case_id": str(case.id),
            "changes": [{"op": "update", "id": customer.contacts[0].id, **change}],
        },
        base_version=base,
        device_time=when,
    )


async def test_a_later_device_edit_wins_and_the_office_value_is_kept(client, signing_key):
    officer, supervisor, case, customer = await _setup()
    base = customer.version
    await _office_edit(supervisor, case, customer, value="+94770000001")
    phone = Device(officer)
    later = datetime.now(UTC) + timedelta(seconds=30)
    [result] = await push_ok(
        client,
        signing_key,
        officer,
        [_edit(phone, case, customer, base, later, value="+94770000002")],
    )
    assert result["status"] == "merged", result
    [resolution] = result["resolutions"]
    assert resolution["rule"] == "later_device_time" and resolution["winner"] == "client"
    assert resolution["server_value"] == "+94770000001"
    stored = await Customer.get(case.customer_id)
    assert stored.contacts[0].value == "+94770000002"
    item = await InboxItem.get(result["review_id"])
    assert item.kind == "conflict" and item.status == "resolved"
    assert item.resolutions[0].server_value == "+94770000001"


async def test_an_earlier_device_edit_loses_to_the_office(client, signing_key):
    officer, supervisor, case, customer = await _setup()
    base = customer.version
    earlier = datetime.now(UTC) - timedelta(minutes=10)
    await _office_edit(supervisor, case, customer, value="+94770000001")
    phone = Device(officer)
    [result] = await push_ok(
        client,
        signing_key,
        officer,
        [_edit(phone, case, customer, base, earlier, value="+94770000009")],
    )
    assert result["status"] == "merged"
    assert result["resolutions"][0]["winner"] == "server"
    assert result["resolutions"][0]["client_value"] == "+94770000009"
    assert (await Customer.get(case.customer_id)).contacts[0].value == "+94770000001"


async def test_edits_to_different_fields_merge_without_a_clash(client, signing_key):
    officer, supervisor, case, customer = await _setup()
    base = customer.version
    await customers.update_contacts(
        actor=supervisor,
        case=case,
        data=ContactsUpdate(
            base_version=base,
            changes=[{"op": "add", "kind": "email", "value": "office@example.lk"}],
        ),
    )
    phone = Device(officer)
    now = datetime.now(UTC)
    [result] = await push_ok(
        client,
        signing_key,
        officer,
        [_edit(phone, case, customer, base, now, value="+94771234567")],
    )
    assert result["status"] == "applied", result
    stored = await Customer.get(case.customer_id)
    assert {c.value for c in stored.contacts} == {"+94771234567", "office@example.lk"}
    assert result["server_version"] == stored.version


async def test_removing_a_contact_the_office_changed_waits_for_a_person(client, signing_key):
    officer, supervisor, case, customer = await _setup()
    base = customer.version
    await _office_edit(supervisor, case, customer, value="+94770000001")
    phone = Device(officer)
    removal = phone.mutation(
        "customer.update_contact",
        {"case_id": str(case.id), "changes": [{"op": "remove", "id": customer.contacts[0].id}]},
        base_version=base,
    )
    [result] = await push_ok(client, signing_key, officer, [removal])
    assert result["status"] == "merged"
    assert result["resolutions"][0]["rule"] == "manual"
    assert result["resolutions"][0]["winner"] == "pending"
    assert len((await Customer.get(case.customer_id)).contacts) == 1
    item = await InboxItem.get(result["review_id"])
    assert item.status == "open" and item.args == removal["args"]


async def test_contact_edits_need_a_base_version(client, signing_key):
    officer, _, case, customer = await _setup()
    phone = Device(officer)
    edit = _edit(phone, case, customer, None, datetime.now(UTC), value="+94770000003")
    [result] = await push_ok(client, signing_key, officer, [edit])
    assert result["status"] == "rejected" and result["code"] == "sync.base_version_required"


async def test_equipment_keeps_the_furthest_status(client, signing_key):
    officer, _, case, _ = await _setup()
    serial = case.cpe_items[0].serial
    phone = Device(officer)

    def record(status: str) -> dict:
        args = {"case_id": str(case.id), "serial": serial, "status": status}
        return phone.mutation(
            "cpe.record_item", {**args, "collected_at": now_iso(-timedelta(minutes=1))}
        )

    results = await push_ok(
        client, signing_key, officer, [record("collected"), record("not_available")]
    )
    assert [r["status"] for r in results] == ["applied", "merged"]
    assert results[1]["resolutions"][0] | {"field": None} == {
        "field": None,
        "rule": "furthest",
        "winner": "server",
        "client_value": "not_available",
        "server_value": "collected",
    }
    collection = await CpeCollection.get(str(case.id))
    assert collection.item(serial).status == "collected"


async def test_escalating_a_case_already_at_the_board_is_a_merge(client, signing_key):
    officer, _, case, _ = await _setup("mediation")
    phone = Device(officer)
    escalate = phone.mutation(
        "mediation.escalate", {"case_id": str(case.id), "reason": "customer stopped answering"}
    )
    [result] = await push_ok(client, signing_key, officer, [escalate])
    assert result["status"] == "merged"
    assert result["resolutions"][0]["server_value"] == "mediation"


async def test_a_case_changed_between_locate_and_write_is_retried_and_applied_once(
    client, signing_key, monkeypatch
):
    officer, supervisor, case, _ = await _setup()
    located = cases.get_unscoped
    locates: list[str] = []

    async def changed_meanwhile(case_id, *, session=None):
        """The first locate reads the case, then the office changes it before the write."""
        found = await located(case_id, session=session)
        locates.append(case_id)
        if len(locates) == 1:
            current = await located(case_id)
            async with db.transaction() as txn:
                await cases.update(
                    actor=supervisor,
                    case=current,
                    action="case.note",
                    changes={"region": "Elsewhere"},
                    session=txn,
                )
        return found

    monkeypatch.setattr(cases, "get_unscoped", changed_meanwhile)
    phone = Device(officer)
    [result] = await push_ok(client, signing_key, officer, [phone.negotiation(str(case.id))])
    assert result["status"] == "applied", result
    assert locates == [str(case.id)] * 2  # the conflict was retried once
    assert await Negotiation.find({"case_id": str(case.id)}).count() == 1
    stored = await located(str(case.id))
    assert stored.region == "Elsewhere" and result["server_version"] == stored.version
