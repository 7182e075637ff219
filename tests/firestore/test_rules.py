"""firestore.rules against the real emulator, over its REST API, as the app's users would call it.

Admin writes (staff records, mirror documents, backend status changes) use the emulator's
`Bearer owner`, which rules do not govern, just as the backend's service account.
"""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from backend.devstack import components as c
from tests.conftest import PROJECT_ID
from tests.harness import ROOT

ALICE, BOB, CAROL = "officer-alice", "officer-bob", "supervisor-carol"
VALID = {
    "client_id": "b2f1c9e0-officer-phone",
    "mutation_id": 17,
    "name": "negotiation.record",
    "args": {"case_id": "6650aa", "channel": "call", "result": "reached"},
    "base_version": 12,
    "device_time": "2026-11-20T09:15:02+05:30",
    "app_version": "1.4.0",
    "schema_version": 1,
    "depends_on": [],
    "status": "pending",
}
FINAL = ["applied", "merged", "rejected", "quarantined", "refused"]


def token(uid: str, project: str) -> str:
    """An unsigned Firebase ID token, which the emulator accepts as the signed-in user."""

    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{project}",
        "aud": project,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
        "sub": uid,
        "user_id": uid,
        "firebase": {"sign_in_provider": "custom", "identities": {}},
    }
    return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part(claims)}."


def encode(value: Any) -> dict[str, Any]:
    """A Python value as a Firestore REST `Value` (ints stay ints, floats stay doubles)."""
    if value is None:
        return {"nullValue": None}
    if isinstance(value, bool):
        return {"booleanValue": value}
    if isinstance(value, int):
        return {"integerValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, str):
        return {"stringValue": value}
    if isinstance(value, datetime):
        return {"timestampValue": value.astimezone(UTC).isoformat().replace("+00:00", "Z")}
    if isinstance(value, dict):
        return {"mapValue": {"fields": {k: encode(v) for k, v in value.items()}}}
    if isinstance(value, list):
        return {"arrayValue": {"values": [encode(v) for v in value]}}
    raise TypeError(f"cannot encode {value!r}")


class Firestore:
    """The emulator's REST API for one project; `who` is a uid, "owner" (admin) or None."""

    def __init__(self, http: httpx.Client, address: str, project: str) -> None:
        self.http = http
        self.project = project
        self.base = f"http://{address}/v1/projects/{project}/databases/(default)/documents"

    def _headers(self, who: str | None) -> dict[str, str]:
        if who is None:
            return {}
        return {
            "Authorization": f"Bearer {'owner' if who == 'owner' else token(who, self.project)}"
        }

    def get(self, path: str, who: str | None) -> httpx.Response:
        return self.http.get(f"{self.base}/{path}", headers=self._headers(who))

    def create(self, path: str, data: dict[str, Any], who: str | None) -> httpx.Response:
        """A create: fails if the document exists."""
        parent, _, doc_id = path.rpartition("/")
        body = {"fields": {k: encode(v) for k, v in data.items()}}
        return self.http.post(
            f"{self.base}/{parent}", params={"documentId": doc_id}, json=body,
            headers=self._headers(who),
        )  # fmt: skip

    def update(self, path: str, data: dict[str, Any], who: str | None) -> httpx.Response:
        """An update of the listed fields of an existing document."""
        body = {"fields": {k: encode(v) for k, v in data.items()}}
        params = [("currentDocument.exists", "true")] + [("updateMask.fieldPaths", k) for k in data]
        return self.http.patch(
            f"{self.base}/{path}", params=params, json=body, headers=self._headers(who)
        )

    def set(self, path: str, data: dict[str, Any], who: str | None) -> httpx.Response:
        """Replace the whole document, or create it."""
        body = {"fields": {k: encode(v) for k, v in data.items()}}
        return self.http.patch(f"{self.base}/{path}", json=body, headers=self._headers(who))

    def seed(self, path: str, data: dict[str, Any]) -> None:
        """What the backend writes, with admin credentials."""
        allowed(self.set(path, data, "owner"))

    def delete(self, path: str, who: str | None) -> httpx.Response:
        return self.http.delete(f"{self.base}/{path}", headers=self._headers(who))

    def query(self, parent: str, collection: str, order_by: str, who: str | None) -> httpx.Response:
        structured = {
            "from": [{"collectionId": collection}],
            "orderBy": [{"field": {"fieldPath": order_by}, "direction": "ASCENDING"}],
        }
        return self.http.post(
            f"{self.base}/{parent}:runQuery",
            json={"structuredQuery": structured},
            headers=self._headers(who),
        )

    def staff(self, uid: str, role: str, drc_id: str | None = "drc-1", active: bool = True) -> None:
        self.seed(f"staff/{uid}", {"role": role, "drc_id": drc_id, "active": active})

    def clear(self) -> None:
        address = self.base.split("/")[2]
        c.clear_firestore(address, self.project)


def allowed(response: httpx.Response) -> httpx.Response:
    assert response.status_code == 200, (
        f"expected the rules to allow {response.request.method} {response.request.url.path}, "
        f"got {response.status_code}: {response.text[:400]}"
    )
    return response


def denied(response: httpx.Response) -> None:
    assert response.status_code == 403 and "PERMISSION_DENIED" in response.text, (
        f"expected the rules to deny {response.request.method} {response.request.url.path}, "
        f"got {response.status_code}: {response.text[:400]}"
    )


def load_rules(http: httpx.Client, address: str, project: str) -> None:
    """Load firestore.rules into `project` through the emulator; fail on a compile error."""
    response = http.put(
        f"http://{address}/emulator/v1/projects/{project}:securityRules",
        json={"rules": {"files": [{"name": "firestore.rules", "content": _rules_text()}]}},
    )
    assert response.status_code == 200, f"firestore.rules did not load: {response.text}"


def _rules_text() -> str:
    return (ROOT / "firestore.rules").read_text()


@pytest.fixture(scope="module")
def emulator(services: c.BackingServices) -> Iterator[Firestore]:
    """The session's emulator, with firestore.rules loaded into a project of this module's own."""
    project = f"debtx-rules-{uuid.uuid4().hex[:8]}"
    with httpx.Client(timeout=30) as http:
        load_rules(http, services.firestore.address, project)
        store = Firestore(http, services.firestore.address, project)
        yield store
        store.clear()


@pytest.fixture
def fs(emulator: Firestore) -> Firestore:
    """Start each test from an empty database, with Alice and Bob as active officers."""
    emulator.clear()
    emulator.staff(ALICE, "recovery_officer")
    emulator.staff(BOB, "recovery_officer")
    return emulator


def outbox(uid: str, doc_id: str = "b2f1c9e0-officer-phone-17") -> str:
    return f"outbox/{uid}/mutations/{doc_id}"


# The session's emulator (the one the rest of the suite uses) was started with the file.


def test_session_emulator_starts_with_these_rules(services: c.BackingServices) -> None:
    with httpx.Client(timeout=30) as http:
        store = Firestore(http, services.firestore.address, PROJECT_ID)
        assert store.get(f"ro/{ALICE}/cases/none", ALICE).status_code == 404  # allowed, absent
        denied(store.get(f"ro/{ALICE}/cases/none", BOB))


# Officers and their mirror tree.


def test_officer_reads_own_mirror(fs: Firestore) -> None:
    for case_id, day in (("c2", 21), ("c1", 20)):
        at = datetime(2026, 11, day, tzinfo=UTC)
        fs.seed(
            f"ro/{ALICE}/cases/{case_id}", {"version": 3, "updated_at": at, "next_follow_up": at}
        )
    fs.seed(f"ro/{ALICE}/meta/summary", {"version": 1})
    fs.seed(f"ro/{ALICE}/outcomes/phone:17", {"status": "applied"})
    for path in ("cases/c1", "meta/summary", "outcomes/phone:17"):
        allowed(fs.get(f"ro/{ALICE}/{path}", ALICE))
    for order_by in ("next_follow_up", "updated_at"):
        rows = allowed(fs.query(f"ro/{ALICE}", "cases", order_by, ALICE)).json()
        assert [row["document"]["name"].rsplit("/", 1)[1] for row in rows] == ["c1", "c2"]


def test_officer_cannot_read_another_officers_mirror(fs: Firestore) -> None:
    fs.seed(f"ro/{ALICE}/cases/c1", {"version": 3})
    denied(fs.get(f"ro/{ALICE}/cases/c1", BOB))
    denied(fs.query(f"ro/{ALICE}", "cases", "updated_at", BOB))


@pytest.mark.parametrize(
    "write",
    [
        lambda fs: fs.update(f"ro/{ALICE}/cases/c1", {"version": 99}, ALICE),
        lambda fs: fs.set(f"ro/{ALICE}/cases/c1", {"version": 99}, ALICE),
        lambda fs: fs.create(f"ro/{ALICE}/cases/c2", {"version": 1}, ALICE),
        lambda fs: fs.delete(f"ro/{ALICE}/cases/c1", ALICE),
        lambda fs: fs.set(f"ro/{ALICE}/meta/summary", {"due": 0}, ALICE),
        lambda fs: fs.create(f"ro/{ALICE}/outcomes/phone:18", {"status": "applied"}, ALICE),
    ],
    ids=["update", "set", "create", "delete", "summary", "outcome"],
)
def test_officer_never_writes_own_mirror(fs: Firestore, write) -> None:
    fs.seed(f"ro/{ALICE}/cases/c1", {"version": 3})
    denied(write(fs))
    kept = allowed(fs.get(f"ro/{ALICE}/cases/c1", "owner")).json()
    assert kept["fields"]["version"] == {"integerValue": "3"}


# Supervisors and operator staff: DRC summaries.


def test_supervisor_reads_own_drc_summary(fs: Firestore) -> None:
    fs.staff(CAROL, "drc_supervisor", "drc-1")
    fs.seed("drc/drc-1/meta/summary", {"open": 4})
    allowed(fs.get("drc/drc-1/meta/summary", CAROL))


def test_supervisor_cannot_read_another_drc(fs: Firestore) -> None:
    fs.staff(CAROL, "drc_supervisor", "drc-1")
    fs.seed("drc/drc-2/meta/summary", {"open": 4})
    denied(fs.get("drc/drc-2/meta/summary", CAROL))


def test_inactive_supervisor_is_denied(fs: Firestore) -> None:
    fs.staff(CAROL, "drc_supervisor", "drc-1", active=False)
    fs.seed("drc/drc-1/meta/summary", {"open": 4})
    denied(fs.get("drc/drc-1/meta/summary", CAROL))


@pytest.mark.parametrize("who", [ALICE, "no-staff-record"])
def test_officer_or_unknown_user_cannot_read_drc_summary(fs: Firestore, who: str) -> None:
    fs.seed("drc/drc-1/meta/summary", {"open": 4})
    denied(fs.get("drc/drc-1/meta/summary", who))


@pytest.mark.parametrize("role", ["operator_admin", "operator_officer"])
def test_operator_staff_read_any_drc_summary(fs: Firestore, role: str) -> None:
    fs.staff("operator-olga", role, drc_id=None)
    fs.seed("drc/drc-2/meta/summary", {"open": 4})
    allowed(fs.get("drc/drc-2/meta/summary", "operator-olga"))


def test_inactive_operator_is_denied(fs: Firestore) -> None:
    fs.staff("operator-olga", "operator_admin", drc_id=None, active=False)
    fs.seed("drc/drc-2/meta/summary", {"open": 4})
    denied(fs.get("drc/drc-2/meta/summary", "operator-olga"))


def test_supervisor_reads_no_officer_tree_and_writes_no_summary(fs: Firestore) -> None:
    fs.staff(CAROL, "drc_supervisor", "drc-1")
    fs.seed(f"ro/{ALICE}/cases/c1", {"version": 3})
    fs.seed("drc/drc-1/meta/summary", {"open": 4})
    denied(fs.get(f"ro/{ALICE}/cases/c1", CAROL))
    denied(fs.set("drc/drc-1/meta/summary", {"open": 0}, CAROL))


def test_staff_records_are_neither_readable_nor_writable_by_their_user(fs: Firestore) -> None:
    fs.staff(CAROL, "drc_supervisor", "drc-1", active=False)
    denied(fs.get(f"staff/{CAROL}", CAROL))
    denied(fs.update(f"staff/{CAROL}", {"active": True}, CAROL))
    denied(fs.create("staff/newcomer", {"role": "operator_admin", "active": True}, "newcomer"))
    denied(fs.get("drc/drc-1/meta/summary", CAROL))


# The outbox.

VALID_VARIANTS = {
    "as documented": VALID,
    "required fields only": {
        k: v for k, v in VALID.items() if k not in ("base_version", "depends_on")
    },
    "null base, dependencies, created_at": {
        **VALID,
        "base_version": None,
        "depends_on": list(range(1, 21)),
        "created_at": datetime(2026, 11, 20, 3, 45, tzinfo=UTC),
    },
    "device time as a timestamp": {**VALID, "device_time": datetime(2026, 11, 20, tzinfo=UTC)},
    "device time in UTC, no seconds fraction": {**VALID, "device_time": "2026-11-20T03:45:02Z"},
}


@pytest.mark.parametrize("mutation", VALID_VARIANTS.values(), ids=VALID_VARIANTS.keys())
def test_officer_creates_a_pending_mutation_in_own_outbox(fs: Firestore, mutation) -> None:
    allowed(fs.create(outbox(ALICE), mutation, ALICE))
    allowed(fs.get(outbox(ALICE), ALICE))
    allowed(fs.query(f"outbox/{ALICE}", "mutations", "mutation_id", ALICE))


def test_outbox_create_under_another_uid_is_denied(fs: Firestore) -> None:
    denied(fs.create(outbox(BOB), VALID, ALICE))


@pytest.mark.parametrize("staff", ["inactive", "missing"])
def test_outbox_create_needs_an_active_staff_record(fs: Firestore, staff: str) -> None:
    if staff == "inactive":
        fs.staff(ALICE, "recovery_officer", active=False)
    else:
        allowed(fs.delete(f"staff/{ALICE}", "owner"))
    denied(fs.create(outbox(ALICE), VALID, ALICE))


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in VALID.items() if k != key}


INVALID = {
    "extra key": {**VALID, "priority": 1},
    "result field": {**VALID, "result": {"status": "applied"}},
    "backend field attempts": {**VALID, "attempts": 0},
    "status applied": {**VALID, "status": "applied"},
    "status retry": {**VALID, "status": "retry"},
    "missing status": _without("status"),
    "missing client_id": _without("client_id"),
    "missing mutation_id": _without("mutation_id"),
    "missing name": _without("name"),
    "missing args": _without("args"),
    "missing device_time": _without("device_time"),
    "missing app_version": _without("app_version"),
    "missing schema_version": _without("schema_version"),
    "client_id too short": {**VALID, "client_id": "short"},
    "client_id too long": {**VALID, "client_id": "x" * 65},
    "client_id bad character": {**VALID, "client_id": "phone/one-12345"},
    "mutation_id as string": {**VALID, "mutation_id": "17"},
    "mutation_id as double": {**VALID, "mutation_id": 17.0},
    "mutation_id zero": {**VALID, "mutation_id": 0},
    "mutation_id above 2^53": {**VALID, "mutation_id": 2**53 + 1},
    "name without domain": {**VALID, "name": "record"},
    "name with capitals": {**VALID, "name": "Negotiation.Record"},
    "name too long": {**VALID, "name": "a." + "b" * 63},
    "args as string": {**VALID, "args": "{}"},
    "args as list": {**VALID, "args": [1]},
    "base_version negative": {**VALID, "base_version": -1},
    "base_version as string": {**VALID, "base_version": "12"},
    "device_time without offset": {**VALID, "device_time": "2026-11-20T09:15:02"},
    "device_time as int": {**VALID, "device_time": 1763600102},
    "device_time too long": {**VALID, "device_time": "2026-11-20T09:15:02." + "1" * 60 + "Z"},
    "app_version bad": {**VALID, "app_version": "v1.4"},
    "app_version as number": {**VALID, "app_version": 1.4},
    "schema_version zero": {**VALID, "schema_version": 0},
    "schema_version as string": {**VALID, "schema_version": "1"},
    "depends_on over 20": {**VALID, "depends_on": list(range(1, 22))},
    "depends_on as map": {**VALID, "depends_on": {"0": 1}},
    "created_at as string": {**VALID, "created_at": "2026-11-20T03:45:00Z"},
}


@pytest.mark.parametrize("mutation", INVALID.values(), ids=INVALID.keys())
def test_outbox_create_of_a_wrong_shape_is_denied(fs: Firestore, mutation) -> None:
    denied(fs.create(outbox(ALICE), mutation, ALICE))


@pytest.mark.parametrize("doc_id", [".hidden", "x" * 129, "has space"])
def test_outbox_document_id_is_constrained(fs: Firestore, doc_id: str) -> None:
    denied(fs.create(outbox(ALICE, doc_id), VALID, ALICE))


def test_officer_cannot_read_another_outbox(fs: Firestore) -> None:
    allowed(fs.create(outbox(ALICE), VALID, ALICE))
    denied(fs.get(outbox(ALICE), BOB))
    denied(fs.query(f"outbox/{ALICE}", "mutations", "mutation_id", BOB))


@pytest.mark.parametrize(
    "change",
    [{"args": {"case_id": "other"}}, {"status": "applied"}, {"status": "pending"}],
    ids=["args", "status final", "status pending again"],
)
def test_outbox_documents_are_never_updated_by_the_app(fs: Firestore, change) -> None:
    allowed(fs.create(outbox(ALICE), VALID, ALICE))
    denied(fs.update(outbox(ALICE), change, ALICE))
    denied(fs.set(outbox(ALICE), {**VALID, **change}, ALICE))


@pytest.mark.parametrize("status", ["pending", "retry"])
def test_open_outbox_documents_cannot_be_deleted(fs: Firestore, status: str) -> None:
    fs.seed(outbox(ALICE), {**VALID, "status": status})
    denied(fs.delete(outbox(ALICE), ALICE))
    allowed(fs.get(outbox(ALICE), ALICE))


@pytest.mark.parametrize("status", FINAL)
def test_final_outbox_documents_can_be_deleted_by_their_owner(fs: Firestore, status: str) -> None:
    allowed(fs.create(outbox(ALICE), VALID, ALICE))
    fs.seed(outbox(ALICE), {**VALID, "status": status, "result": {"status": status}})
    denied(fs.delete(outbox(ALICE), BOB))
    allowed(fs.delete(outbox(ALICE), ALICE))
    assert fs.get(outbox(ALICE), ALICE).status_code == 404


# Nobody signed in.


@pytest.mark.parametrize(
    "call",
    [
        lambda fs: fs.get(f"ro/{ALICE}/cases/c1", None),
        lambda fs: fs.query(f"ro/{ALICE}", "cases", "updated_at", None),
        lambda fs: fs.get("drc/drc-1/meta/summary", None),
        lambda fs: fs.get(f"staff/{ALICE}", None),
        lambda fs: fs.get(outbox(ALICE), None),
        lambda fs: fs.create(outbox(ALICE), VALID, None),
        lambda fs: fs.delete(outbox(ALICE), None),
        lambda fs: fs.set(f"ro/{ALICE}/cases/c1", {"version": 9}, None),
        lambda fs: fs.create("anything/else", {"a": 1}, None),
    ],
    ids=["case", "case list", "drc", "staff", "outbox", "create", "delete", "mirror", "other"],
)
def test_unauthenticated_requests_are_denied(fs: Firestore, call) -> None:
    fs.seed(f"ro/{ALICE}/cases/c1", {"version": 3})
    fs.seed("drc/drc-1/meta/summary", {"open": 4})
    fs.seed(outbox(ALICE), {**VALID, "status": "applied"})
    denied(call(fs))


def test_paths_outside_the_contract_are_denied_to_signed_in_users(fs: Firestore) -> None:
    fs.staff("operator-olga", "operator_admin", drc_id=None)
    fs.seed("other/doc", {"a": 1})
    for who in (ALICE, "operator-olga"):
        denied(fs.get("other/doc", who))
        denied(fs.create("other/new", {"a": 1}, who))
        denied(fs.create(f"ro/{who}/cases/c9", {"version": 1}, who))
