"""The API process dies (SIGKILL) in the middle of a push; the phone sends the batch again.

The API runs under uvicorn in a process of its own, on the test's database. While it
works through one batch, the test watches the negotiations appear and kills the process
half way. At that instant the committed ledger, results and records must agree (each
mutation's effect commits with them, or not at all). A new process then gets the same
batch, as a phone whose request failed would send it, and in the end every mutation is
applied exactly once: nothing lost, nothing twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from backend.audit.models import AuditRecord
from backend.devstack import components as c
from backend.negotiations.models import Negotiation
from backend.users.models import Role
from sync.models import InboxItem, MutationRecord, SyncClient
from tests.backend.syncing.helpers import Device
from tests.factories import bearer, make_case, make_user
from tests.harness import settings_env

MUTATIONS = 200
CASES = 4
# The transaction the kill cut off keeps its writes (the client's ledger among them)
# locked until the server reaps it: 60 s, as mongod's transactionLifetimeLimitSeconds.
# Meanwhile the mutations after it are answered `retry`, and the batch is sent again,
# as the app does, for up to this long.
RESEND_FOR_SECONDS = 150


class ApiProcess:
    """The API under one uvicorn worker, which the test may kill and start again."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir = env, log_dir
        self.server: c.Component | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://{self.server.address}"

    @property
    def pid(self) -> int:
        assert self.server is not None and self.server.process is not None
        return self.server.process.pid

    def start(self) -> None:
        server = c.uvicorn("api", "backend.main:create_app", c.free_port(), self.log_dir, self.env)
        self.server = server
        try:
            server.start().wait_ready(60)
        except c.ComponentMissing as exc:
            pytest.fail(f"The API did not start under uvicorn: {exc}", pytrace=False)

    def kill(self) -> None:
        """SIGKILL: no shutdown, no abort of the transaction in flight."""
        os.kill(self.pid, signal.SIGKILL)
        assert self.server is not None and self.server.process is not None
        self.server.process.wait(10)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()


@pytest.fixture
def api_process(app, settings, tmp_path) -> Iterator[ApiProcess]:
    # `app` binds this process to the same database, for the factories and the checks.
    process = ApiProcess(settings_env(settings), tmp_path / "logs")
    process.start()
    yield process
    process.stop()


async def _push(url: str, headers: dict[str, str], batch: list[dict]) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url, timeout=120) as http:
        return await http.post("/sync/push", json={"mutations": batch}, headers=headers)


async def _push_until_settled(url: str, headers: dict[str, str], batch: list[dict]) -> list[dict]:
    """Send the batch, and again while any result says `retry`, as the app does."""
    deadline = time.monotonic() + RESEND_FOR_SECONDS
    while True:
        response = await _push(url, headers, batch)
        assert response.status_code == 200, response.text
        results = response.json()["results"]
        if all(r["status"] != "retry" for r in results) or time.monotonic() > deadline:
            return results
        await asyncio.sleep(1)


async def _committed_negotiations(case_ids: list[str]) -> int:
    return await Negotiation.find({"case_id": {"$in": case_ids}}).count()


async def test_a_batch_cut_by_sigkill_is_applied_exactly_once_when_sent_again(
    api_process, signing_key
):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case_ids = [str((await make_case("assigned", ro=officer)).id) for _ in range(CASES)]
    phone = Device(officer)
    notes = [f"call {n + 1}" for n in range(MUTATIONS)]
    batch = [phone.negotiation(case_ids[n % CASES], notes=note) for n, note in enumerate(notes)]
    headers = bearer(signing_key, officer)

    # The first attempt: killed about half way through the batch.
    sending = asyncio.create_task(_push(api_process.url, headers, batch))
    done = 0
    while done < MUTATIONS // 2:
        assert not sending.done(), "the batch finished before the API could be killed"
        await asyncio.sleep(0.005)
        done = await _committed_negotiations(case_ids)
    api_process.kill()
    with contextlib.suppress(httpx.TransportError):
        response = await sending
        pytest.fail(f"the killed API answered: {response.status_code}")

    # What survived the kill is all-or-nothing per mutation: ledger, results and effects agree.
    committed = await _committed_negotiations(case_ids)
    assert 0 < committed < MUTATIONS
    ledger = await SyncClient.get(phone.client_id)
    assert ledger is not None and ledger.last_mutation_id == committed
    before = await MutationRecord.find({"client_id": phone.client_id}).to_list()
    assert sorted(r.mutation_id for r in before) == list(range(1, committed + 1))
    stored = {r.mutation_id: r.result.model_dump(mode="json") for r in before}

    # A new process; the phone sends the same batch again.
    api_process.start()
    results = await _push_until_settled(api_process.url, headers, batch)
    assert [r["mutation_id"] for r in results] == list(range(1, MUTATIONS + 1))
    assert [r["status"] for r in results] == ["applied"] * MUTATIONS
    for result in results[:committed]:
        assert result == stored[result["mutation_id"]]  # replays answer what was stored
    assert {r["entity"] for r in results} == {f"case:{i}" for i in case_ids}

    # Exactly once: one record per mutation, nothing kept for review, the ledger at the end.
    negotiations = await Negotiation.find({"case_id": {"$in": case_ids}}).to_list()
    assert len(negotiations) == MUTATIONS
    assert sorted(n.notes for n in negotiations) == sorted(notes)  # each once
    assert (await SyncClient.get(phone.client_id)).last_mutation_id == MUTATIONS
    records = await MutationRecord.find({"client_id": phone.client_id}).to_list()
    assert sorted(r.mutation_id for r in records) == list(range(1, MUTATIONS + 1))
    assert await InboxItem.find({"client_id": phone.client_id}).count() == 0
    audits = AuditRecord.find({"action": "negotiation.record", "actor_uid": officer.id})
    assert await audits.count() == MUTATIONS

    # And once more, whole: nothing changes, the same answers come back.
    again = await _push_until_settled(api_process.url, headers, batch)
    assert again == results
    assert await _committed_negotiations(case_ids) == MUTATIONS
