"""Abuse limits on sign-in, sync push, uploads and any route taking `RateLimited`, counted
in the session's real Redis: a burst past a limit is a 429 with Retry-After, the next
window passes, and one caller's burst leaves another's alone."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI

from backend.core.errors import PROBLEM_JSON
from backend.core.http import install_error_handlers
from backend.core.ratelimit import Limiter, RateLimited
from backend.core.settings import AbuseLimit, RateLimitSettings
from backend.users.models import Role
from tests.console.conftest import csrf_of, form, sign_in
from tests.factories import bearer, make_user

TIGHT = AbuseLimit(per_user="3/2 seconds", per_ip="5/2 seconds")
TIGHT_LIMITS = RateLimitSettings(sign_in=TIGHT, sync_push=TIGHT, uploads=TIGHT, callbacks=TIGHT)


def limiter(settings, limits: RateLimitSettings = TIGHT_LIMITS) -> Limiter:
    return Limiter(limits, settings.redis.url.get_secret_value())


@pytest.fixture
def tight(app: FastAPI, settings) -> Iterator[None]:
    """The app counts against two-second windows for this test."""
    generous = app.state.rate_limiter
    app.state.rate_limiter = limiter(settings)
    yield
    app.state.rate_limiter = generous


def assert_limited(response: httpx.Response) -> int:
    assert response.status_code == 429, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["code"] == "rate_limited" and body["status"] == 429
    retry_after = int(response.headers["retry-after"])
    assert 1 <= retry_after <= 2 and body["retry_after"] == retry_after
    return retry_after


async def dev_sign_in(client, email: str) -> httpx.Response:
    return await client.post("/auth/dev/sign-in", json={"email": email})


async def test_sign_in_past_the_per_account_limit_waits_for_the_next_window(client, tight):
    user = await make_user(Role.OPERATOR_OFFICER)
    for _ in range(3):
        assert (await dev_sign_in(client, user.email)).status_code == 200
    retry_after = assert_limited(await dev_sign_in(client, user.email.upper()))
    other = await make_user(Role.OPERATOR_OFFICER)
    assert (await dev_sign_in(client, other.email)).status_code == 200  # another account

    await asyncio.sleep(retry_after)
    assert (await dev_sign_in(client, user.email)).status_code == 200


async def test_sign_in_past_the_per_address_limit_is_refused_whoever_it_names(client, tight):
    answers = [(await dev_sign_in(client, f"nobody{n}@example.lk")).status_code for n in range(6)]
    assert answers[:5] == [404] * 5  # unknown accounts count too
    assert_limited(await dev_sign_in(client, "someone@example.lk"))


async def test_sync_push_is_limited_per_officer(client, signing_key, tight):
    first = bearer(signing_key, await make_user(Role.RECOVERY_OFFICER))
    second = bearer(signing_key, await make_user(Role.RECOVERY_OFFICER))
    for _ in range(3):
        answer = await client.post("/sync/push", json={"mutations": []}, headers=first)
        assert answer.status_code == 422  # refused batches count as calls
    assert_limited(await client.post("/sync/push", json={"mutations": []}, headers=first))
    answer = await client.post("/sync/push", json={"mutations": []}, headers=second)
    assert answer.status_code == 422


async def test_uploads_are_limited_per_account(client, signing_key, tight):
    operator = bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))
    headers = {**operator, "content-type": "text/csv"}
    url = "/incidents/batches?filename=empty.csv"
    for _ in range(3):
        answer = await client.post(url, content=b"account_id\n", headers=headers)
        assert answer.status_code != 429, answer.text
    assert_limited(await client.post(url, content=b"account_id\n", headers=headers))


async def test_the_console_answers_a_limited_sign_in_with_a_page(client, signing_key, tight):
    user = await make_user(Role.OPERATOR_OFFICER)
    for _ in range(3):
        assert (await sign_in(client, signing_key, user)).status_code == 303
    refused = await sign_in(client, signing_key, user)
    assert refused.status_code == 429 and "text/html" in refused.headers["content-type"]
    assert 1 <= int(refused.headers["retry-after"]) <= 2


async def test_console_uploads_are_limited(client, signing_key, tight, app, settings):
    user = await make_user(Role.OPERATOR_OFFICER)
    await sign_in(client, signing_key, user)
    app.state.rate_limiter = limiter(settings, RateLimitSettings(uploads=TIGHT))
    page = await client.get("/console/uploads")
    fields = {"csrf_token": csrf_of(page.text)}
    for _ in range(3):
        sent = await client.post("/console/uploads", files=form(**fields))
        assert sent.status_code != 429
    refused = await client.post("/console/uploads", files=form(**fields))
    assert refused.status_code == 429 and refused.headers["retry-after"]


def callbacks_app(limits: Limiter) -> FastAPI:
    """A route as the payment callbacks take the dependency."""
    app = FastAPI()
    install_error_handlers(app)
    app.state.rate_limiter = limits

    @app.post("/callbacks/test", dependencies=[RateLimited("callbacks")])
    async def callback() -> dict[str, bool]:
        return {"ok": True}

    return app


async def test_the_callbacks_dependency_limits_per_address(settings, client):
    app = callbacks_app(limiter(settings))
    transport = httpx.ASGITransport(app=app, client=("203.0.113.7", 4000))
    async with httpx.AsyncClient(transport=transport, base_url="http://provider") as http:
        answers = [(await http.post("/callbacks/test")).status_code for _ in range(5)]
        assert answers == [200] * 5
        retry_after = assert_limited(await http.post("/callbacks/test"))
        await asyncio.sleep(retry_after)
        assert (await http.post("/callbacks/test")).status_code == 200
    elsewhere = httpx.ASGITransport(app=app, client=("198.51.100.2", 4000))
    async with httpx.AsyncClient(transport=elsewhere, base_url="http://provider") as http:
        assert (await http.post("/callbacks/test")).status_code == 200


async def test_with_redis_away_calls_are_served(settings):
    from backend.devstack.components import free_port

    away = Limiter(TIGHT_LIMITS, f"redis://127.0.0.1:{free_port()}/0")
    app = callbacks_app(away)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://provider") as http:
        answers = [(await http.post("/callbacks/test")).status_code for _ in range(7)]
    assert answers == [200] * 7


async def test_limits_off_count_nothing(settings, client):
    off = limiter(settings, TIGHT_LIMITS.model_copy(update={"enabled": False}))
    transport = httpx.ASGITransport(app=callbacks_app(off))
    async with httpx.AsyncClient(transport=transport, base_url="http://provider") as http:
        answers = [(await http.post("/callbacks/test")).status_code for _ in range(7)]
    assert answers == [200] * 7
