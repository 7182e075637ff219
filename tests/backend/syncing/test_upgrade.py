"""Review items stored before the inbox kept audiences still reach their DRC's supervisors."""

from __future__ import annotations

from datetime import UTC, datetime

from bson import ObjectId

from backend.syncing import service
from backend.users.models import Role
from sync.models import InboxItem
from tests.factories import bearer, make_user


def _legacy(uid: str, drc_id: str | None) -> dict:
    return {
        "_id": ObjectId(),
        "kind": "rejected",
        "status": "open",
        "client_id": "phone-0001",
        "mutation_id": 1,
        "uid": uid,
        "drc_id": drc_id,
        "name": "negotiation.record",
        "args": {"case_id": "0" * 24},
        "base_version": None,
        "device_time": datetime(2026, 5, 1, tzinfo=UTC),
        "code": "negotiation.contacted_at_invalid",
        "reason": "in the future",
        "resolutions": [],
        "created_at": datetime(2026, 5, 1, tzinfo=UTC),
    }


async def test_old_items_are_given_their_audiences_once(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)
    old = _legacy(officer.id, officer.drc_id)
    await InboxItem.get_pymongo_collection().insert_many([old, _legacy("op-1", None)])

    assert await service.keep_inbox_audiences() == 2
    assert await service.keep_inbox_audiences() == 0
    stored = await InboxItem.get_pymongo_collection().find_one({"_id": old["_id"]})
    assert stored is not None and "drc_id" not in stored
    assert (stored["audience"], stored["reviewers"]) == (
        [f"ro:{officer.id}"],
        [f"drc:{officer.drc_id}"],
    )
    listed = await client.get("/sync/inbox", headers=bearer(signing_key, supervisor))
    assert listed.status_code == 200
    assert [(i["id"], i["drc_id"]) for i in listed.json()["items"]] == [
        (str(old["_id"]), officer.drc_id)
    ]
