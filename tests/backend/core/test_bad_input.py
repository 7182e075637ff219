"""Bad input gets a problem document with a stable code, and changes nothing."""

from __future__ import annotations

import json

import pytest

from backend.core.errors import PROBLEM_JSON
from backend.drcs.models import Drc
from backend.users.models import Role, User
from tests.factories import bearer, make_user


@pytest.fixture
async def admin_headers(signing_key):
    return bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))


async def _stored() -> tuple[int, int]:
    return await User.find_all().count(), await Drc.find_all().count()


def _problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    return body


GOOD_DRC = {"id": "DRC-NEW", "name": "New Recoveries"}


@pytest.mark.parametrize(
    ("content", "content_type", "status", "code"),
    [
        (b'{"id": "DRC-NEW", "name": ', "application/json", 400, "request.malformed_json"),
        (b"\xff\xfe\x00", "application/json", 400, "request.malformed_json"),
        (b'{"id": "DRC-NEW", "name": 12}', "application/json", 422, "request.invalid"),
        (
            b'{"id": "DRC-NEW", "name": "X", "capacity": "lots"}',
            "application/json",
            422,
            "request.invalid",
        ),
        (
            b'{"id": "DRC-NEW", "name": "X", "owner": "me"}',
            "application/json",
            422,
            "request.invalid",
        ),
        (b'["DRC-NEW"]', "application/json", 422, "request.invalid"),
        (json.dumps(GOOD_DRC).encode(), "text/plain", 415, "request.unsupported_media_type"),
        (json.dumps(GOOD_DRC).encode(), "application/xml", 415, "request.unsupported_media_type"),
        (json.dumps(GOOD_DRC).encode(), "", 415, "request.unsupported_media_type"),
        (json.dumps(GOOD_DRC).encode(), "text/csv", 415, "request.unsupported_media_type"),
    ],
    ids=[
        "truncated",
        "not_utf8",
        "wrong_type",
        "wrong_number",
        "unknown_field",
        "array",
        "text_plain",
        "xml",
        "no_content_type",
        "json_route_given_csv",
    ],
)
async def test_bad_bodies_are_refused_and_change_nothing(
    client, admin_headers, content, content_type, status, code
):
    before = await _stored()
    headers = {**admin_headers, "content-type": content_type} if content_type else admin_headers
    response = await client.post("/drcs", content=content, headers=headers)
    _problem(response, status, code)
    assert await _stored() == before


async def test_validation_errors_list_field_paths(client, admin_headers):
    response = await client.post(
        "/drcs", json={"id": "bad id", "name": "", "regions": [1]}, headers=admin_headers
    )
    body = _problem(response, 422, "request.invalid")
    fields = {e["field"] for e in body["errors"]}
    assert {"id", "name", "regions.0"} <= fields
    assert all(e["in"] == "body" and e["reason"] for e in body["errors"])


async def test_bad_query_parameters_name_the_parameter(client, admin_headers):
    response = await client.get("/users?limit=0", headers=admin_headers)
    body = _problem(response, 422, "request.invalid")
    assert body["errors"][0]["in"] == "query" and body["errors"][0]["field"] == "limit"
    response = await client.get("/audit?cursor=not-a-cursor", headers=admin_headers)
    _problem(response, 422, "request.invalid")  # fails the documented pattern


async def test_oversized_body_is_refused_before_it_is_read(client, admin_headers, settings):
    before = await _stored()
    huge = {**GOOD_DRC, "name": "x" * (settings.http.max_body_bytes + 10)}
    response = await client.post("/drcs", json=huge, headers=admin_headers)
    body = _problem(response, 413, "request.too_large")
    assert body["limit"] == settings.http.max_body_bytes
    assert await _stored() == before


async def test_oversized_streamed_body_without_length_is_refused(client, admin_headers, settings):
    async def chunks():
        for _ in range(settings.http.max_body_bytes // 65536 + 2):
            yield b" " * 65536

    response = await client.post(
        "/drcs", content=chunks(), headers={**admin_headers, "content-type": "application/json"}
    )
    _problem(response, 413, "request.too_large")


async def test_unknown_route_and_method(client, admin_headers):
    _problem(await client.get("/no/such/route", headers=admin_headers), 404, "route.not_found")
    _problem(await client.delete("/drcs", headers=admin_headers), 405, "route.method_not_allowed")
    _problem(await client.put("/healthz"), 405, "route.method_not_allowed")


async def test_unexpected_errors_do_not_leak(app, client, monkeypatch, admin_headers):
    from backend.drcs import repository

    async def explode(**_):
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(repository, "list_all", explode)
    response = await client.get("/drcs", headers=admin_headers)
    body = _problem(response, 500, "internal.error")
    assert "secret" not in response.text and "Traceback" not in response.text
    assert body["detail"] == "An unexpected error occurred"
