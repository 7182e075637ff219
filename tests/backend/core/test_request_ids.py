"""Every response carries a request id, and every log line of that request has it."""

from __future__ import annotations

import json
import logging

import pytest


class _Capture(logging.Handler):
    def __init__(self, formatter: logging.Formatter) -> None:
        super().__init__()
        self.setFormatter(formatter)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def captured_logs():
    root = logging.getLogger()
    capture = _Capture(root.handlers[0].formatter)
    level = root.level
    root.addHandler(capture)
    root.setLevel(logging.INFO)
    yield capture
    root.setLevel(level)
    root.removeHandler(capture)


async def test_a_request_id_is_assigned_and_logged(client, captured_logs):
    response = await client.get("/healthz")
    request_id = response.headers["x-request-id"]
    assert len(request_id) == 32
    events = [json.loads(line) for line in captured_logs.lines]
    access = [e for e in events if e["event"] == "http.request"]
    assert access and all(e["request_id"] == request_id for e in access)
    assert access[0]["path"] == "/healthz" and access[0]["status"] == 200


async def test_a_well_formed_incoming_request_id_is_kept(client):
    response = await client.get("/healthz", headers={"x-request-id": "trace-1234-abcd"})
    assert response.headers["x-request-id"] == "trace-1234-abcd"


async def test_a_malformed_incoming_request_id_is_replaced(client):
    response = await client.get("/healthz", headers={"x-request-id": "bad id\twith spaces"})
    assert response.headers["x-request-id"] != "bad id\twith spaces"


async def test_error_lines_carry_the_request_id(client, captured_logs, monkeypatch, signing_key):
    from backend.drcs import repository
    from backend.users.models import Role
    from tests.factories import bearer, make_user

    async def explode(**_):
        raise RuntimeError("boom")

    monkeypatch.setattr(repository, "list_all", explode)
    headers = bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))
    response = await client.get("/drcs", headers=headers)
    events = [json.loads(line) for line in captured_logs.lines]
    errors = [e for e in events if e["event"] == "http.unhandled"]
    assert errors and errors[0]["request_id"] == response.headers["x-request-id"]
    assert "exception" in errors[0]
