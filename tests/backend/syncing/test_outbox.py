"""The Firestore outbox against the real emulator: the poller, the internal route, the function."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from celery import Celery

from backend.core.errors import ServiceUnavailable
from backend.negotiations.models import Negotiation
from backend.syncing import outbox, service
from backend.users.models import Role
from sync.models import MutationRecord, SyncClient
from sync.outbox import Outbox
from tests.backend.syncing.helpers import Device
from tests.factories import make_case, make_user
from tests.harness import ROOT, settings_env

INTERNAL = "X-DebtX-Internal-Token"
CELERY = [sys.executable, "-m", "celery", "-A", "backend.worker.app:celery_app"]


def _forward() -> ModuleType:
    """functions/forward.py as the Cloud Function imports it (not a package of ours)."""
    spec = importlib.util.spec_from_file_location("outbox_forward", ROOT / "functions/forward.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


forward = _forward()


async def write(app, uid: str, mutation: dict[str, Any], doc_id: str | None = None) -> str:
    """What the app does: one document per mutation, with status pending."""
    mutations = app.state.resources.firestore.collection("outbox", uid, "mutations")
    reference = mutations.document(doc_id) if doc_id else mutations.document()
    await reference.set({**mutation, "status": "pending"})
    return reference.id


async def read(app, uid: str, doc_id: str) -> dict[str, Any]:
    firestore = app.state.resources.firestore
    snapshot = await firestore.collection("outbox", uid, "mutations").document(doc_id).get()
    assert snapshot.exists
    return snapshot.to_dict()


async def poll(app) -> dict[str, int]:
    return await outbox.poll(resources=app.state.resources)


async def officer_with_case():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    return officer, str(case.id), Device(officer)


async def test_the_poller_applies_a_pending_document_and_writes_the_result(app):
    officer, case_id, phone = await officer_with_case()
    doc_id = await write(app, officer.id, phone.negotiation(case_id))
    assert await poll(app) == {"applied": 1}
    doc = await read(app, officer.id, doc_id)
    assert doc["status"] == "applied" and doc["attempts"] == 1
    assert doc["result"]["status"] == "applied"
    assert doc["result"]["entity"] == f"case:{case_id}"
    assert doc["result"]["mutation_id"] == 1 and doc["result"]["server_version"] >= 1
    assert doc["processed_at"] is not None
    assert await Negotiation.find({"case_id": case_id}).count() == 1
    # Nothing is open any more: the next pass has nothing to do.
    assert await poll(app) == {}


async def test_out_of_order_documents_end_applied_in_order(app):
    officer, case_id, phone = await officer_with_case()
    one, two, three = (phone.negotiation(case_id) for _ in range(3))
    third = await write(app, officer.id, three)
    assert await poll(app) == {"retry": 1}
    waiting = await read(app, officer.id, third)
    assert waiting["status"] == "retry" and waiting["result"]["code"] == "sync.mutation_gap"
    assert waiting["retry_at"] is not None
    assert await Negotiation.find({"case_id": case_id}).count() == 0
    # 2 lands before 1; one pass takes all three in mutation_id order.
    second = await write(app, officer.id, two)
    first = await write(app, officer.id, one)
    assert await poll(app) == {"applied": 3}
    for doc_id in (first, second, third):
        assert (await read(app, officer.id, doc_id))["status"] == "applied"
    assert (await read(app, officer.id, third))["attempts"] == 2
    assert await Negotiation.find({"case_id": case_id}).count() == 3
    assert (await SyncClient.get(phone.client_id)).last_mutation_id == 3


async def test_a_duplicate_document_gets_the_same_result_and_changes_nothing(app):
    officer, case_id, phone = await officer_with_case()
    mutation = phone.negotiation(case_id)
    original = await write(app, officer.id, mutation)
    await poll(app)
    copy = await write(app, officer.id, mutation)
    assert await poll(app) == {"applied": 1}
    first, again = await read(app, officer.id, original), await read(app, officer.id, copy)
    assert again["status"] == "applied" and again["result"] == first["result"]
    assert await Negotiation.find({"case_id": case_id}).count() == 1
    assert await MutationRecord.find({"client_id": phone.client_id}).count() == 1


async def test_documents_the_engine_cannot_take_are_refused(app):
    officer, case_id, phone = await officer_with_case()
    old = await write(
        app,
        officer.id,
        phone.mutation("negotiation.record", {"case_id": case_id}, app_version="0.9.7"),
    )
    broken = await write(app, officer.id, {"client_id": phone.client_id, "name": "x"})
    stranger = await write(app, "no-such-user", Device(officer).negotiation(case_id))
    disabled = await make_user(Role.RECOVERY_OFFICER, active=False)
    locked = await write(app, disabled.id, Device(disabled).negotiation(case_id))
    assert await poll(app) == {"refused": 4}
    expected = {
        (officer.id, old): "sync.client_outdated",
        (officer.id, broken): "sync.outbox_invalid",
        ("no-such-user", stranger): "auth.unknown_user",
        (disabled.id, locked): "auth.account_disabled",
    }
    for (uid, doc_id), code in expected.items():
        doc = await read(app, uid, doc_id)
        assert (doc["status"], doc["result"]["status"], doc["result"]["code"]) == (
            "refused",
            "refused",
            code,
        )
    invalid = (await read(app, officer.id, broken))["result"]
    assert {"mutation_id", "args"} <= {e["field"] for e in invalid["errors"]}
    assert await MutationRecord.find({"client_id": phone.client_id}).count() == 0
    assert await poll(app) == {}


async def test_the_internal_route_needs_the_token(app, client, settings):
    officer, case_id, phone = await officer_with_case()
    doc_id = await write(app, officer.id, phone.negotiation(case_id))
    url = f"/sync/outbox/{officer.id}/{doc_id}"
    for headers in ({}, {INTERNAL: "not-the-token"}):
        refused = await client.post(url, headers=headers)
        assert refused.status_code == 401
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["code"] == "auth.not_authenticated"
    assert (await read(app, officer.id, doc_id))["status"] == "pending"
    token = {INTERNAL: settings.internal_token.get_secret_value()}
    answered = await client.post(url, headers=token)
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["status"] == "applied" and body["result"]["entity"] == f"case:{case_id}"
    assert (await read(app, officer.id, doc_id))["result"] == body["result"]
    # Called again (a redelivered event): the stored answer, nothing applied twice.
    assert (await client.post(url, headers=token)).json() == body
    assert await Negotiation.find({"case_id": case_id}).count() == 1
    missing = await client.post(f"/sync/outbox/{officer.id}/nope", headers=token)
    assert missing.status_code == 404 and missing.json()["code"] == "sync.outbox_not_found"
    assert "/sync/outbox/{uid}/{doc_id}" not in app.openapi()["paths"]


async def test_the_route_lets_through_documents_waiting_behind_a_gap(app, client, settings):
    officer, case_id, phone = await officer_with_case()
    one, two = phone.negotiation(case_id), phone.negotiation(case_id)
    token = {INTERNAL: settings.internal_token.get_secret_value()}
    second = await write(app, officer.id, two)
    early = await client.post(f"/sync/outbox/{officer.id}/{second}", headers=token)
    assert early.json()["status"] == "retry"
    first = await write(app, officer.id, one)
    late = await client.post(f"/sync/outbox/{officer.id}/{first}", headers=token)
    assert late.json()["status"] == "applied"
    assert (await read(app, officer.id, second))["status"] == "applied"
    assert await Negotiation.find({"case_id": case_id}).count() == 2


async def test_the_function_forwards_to_a_live_api(app, live_server, settings):
    officer, case_id, phone = await officer_with_case()
    doc_id = await write(app, officer.id, phone.negotiation(case_id))
    token = settings.internal_token.get_secret_value()
    answer = await asyncio.to_thread(
        forward.forward, officer.id, doc_id, backend_url=live_server, token=token
    )
    assert answer["status"] == "applied" and answer["doc_id"] == doc_id
    doc = await read(app, officer.id, doc_id)
    assert doc["status"] == "applied" and doc["result"] == answer["result"]
    assert await Negotiation.find({"case_id": case_id}).count() == 1
    with pytest.raises(forward.ForwardFailed) as wrong:
        await asyncio.to_thread(
            forward.forward, officer.id, doc_id, backend_url=live_server, token="wrong"
        )
    assert not wrong.value.transient and "401" in str(wrong.value)


def test_the_function_gives_up_on_an_unreachable_api_after_its_retries():
    calls = []

    def refuse(request):
        calls.append(request)
        raise forward.httpx.ConnectError("refused", request=request)

    with pytest.raises(forward.ForwardFailed) as failed:
        forward.forward(
            "u1",
            "d1",
            backend_url="http://127.0.0.1:9",
            token="t",
            attempts=3,
            backoff_seconds=0.01,
            transport=forward.httpx.MockTransport(refuse),
        )
    assert failed.value.transient and len(calls) == 3
    assert calls[0].url.path == "/sync/outbox/u1/d1" and calls[0].headers[INTERNAL] == "t"


async def test_the_cli_polls_once(app, settings):
    officer, case_id, phone = await officer_with_case()
    doc_id = await write(app, officer.id, phone.negotiation(case_id))
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "backend.cli", "sync-outbox"],
        env={"PATH": "/usr/bin:/bin", **settings_env(settings)},
        cwd=Path(ROOT),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"applied": 1}
    assert (await read(app, officer.id, doc_id))["status"] == "applied"


async def test_a_slower_racer_does_not_write_over_the_first_answer(app):
    """The function and the poller both take the document: the first write stands."""
    officer, case_id, phone = await officer_with_case()
    doc_id = await write(app, officer.id, phone.negotiation(case_id))
    mutations = app.state.resources.firestore.collection("outbox", officer.id, "mutations")
    stale = await mutations.document(doc_id).get()
    await poll(app)
    late = await outbox.outbox_for(app.state.resources)._process(officer.id, stale)
    doc = await read(app, officer.id, doc_id)
    assert doc["status"] == "applied" and doc["attempts"] == 1
    assert late.status == "applied" and late.result.model_dump(mode="json") == doc["result"]
    assert await Negotiation.find({"case_id": case_id}).count() == 1


@pytest.fixture
def worker(settings, tmp_path):
    """A real Celery worker on the session's Redis, as tests/backend/worker starts one."""
    with (tmp_path / "worker.log").open("wb") as log:
        process = subprocess.Popen(
            [*CELERY, "worker", "--pool", "solo", "--loglevel", "INFO"],
            env={**os.environ, **settings_env(settings)},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        yield process
        process.terminate()
        process.wait(20)


async def test_a_celery_worker_runs_the_poller(app, services, worker):
    officer, case_id, phone = await officer_with_case()
    doc_id = await write(app, officer.id, phone.negotiation(case_id))
    Celery(broker=services.redis_url).send_task("sync.poll_outbox")
    deadline = time.monotonic() + 60
    while (await read(app, officer.id, doc_id))["status"] == "pending":
        assert worker.poll() is None, "the worker exited"
        assert time.monotonic() < deadline, "the poller did not run"
        await asyncio.sleep(0.2)
    assert (await read(app, officer.id, doc_id))["status"] == "applied"


async def test_a_user_that_cannot_be_handled_now_does_not_stall_the_others(app):
    """A backing service failing for one document leaves it pending; the rest go on."""
    stuck, stuck_case, stuck_phone = await officer_with_case()
    fine, fine_case, fine_phone = await officer_with_case()
    waiting = await write(app, stuck.id, stuck_phone.negotiation(stuck_case))
    moving = await write(app, fine.id, fine_phone.negotiation(fine_case))

    async def resolve(uid: str):
        if uid == stuck.id:
            raise ServiceUnavailable("the accounts database is down")
        return await outbox.resolve_user(uid)

    transport = Outbox(app.state.resources.firestore, service.ENGINE, resolve_user=resolve)
    assert await transport.poll() == {"applied": 1}
    assert (await read(app, stuck.id, waiting))["status"] == "pending"
    assert (await read(app, fine.id, moving))["status"] == "applied"
