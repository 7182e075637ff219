"""Every forged, stale or malformed token is refused with 401 and a problem document."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time

import httpx
import pytest

from backend.core.errors import PROBLEM_JSON, InvalidToken
from backend.firebase.devkeys import SigningKey
from backend.firebase.tokens import CertificateStore
from backend.users.models import Role
from tests.conftest import PROJECT_ID
from tests.factories import bearer, make_user
from tests.harness import CertificateServer


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segments(header: dict, payload: dict) -> str:
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(payload).encode())}"


def _claims(uid: str, **overrides) -> dict:
    now = int(time.time())
    claims = {
        "iss": f"https://securetoken.google.com/{PROJECT_ID}",
        "aud": PROJECT_ID,
        "sub": uid,
        "user_id": uid,
        "iat": now,
        "exp": now + 3600,
        "auth_time": now,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _forged(kind: str, key: SigningKey, uid: str) -> str:
    if kind == "alg_none":
        return _segments({"alg": "none", "typ": "JWT", "kid": key.kid}, _claims(uid)) + "."
    if kind == "hs256_with_public_key":
        signing_input = _segments({"alg": "HS256", "typ": "JWT", "kid": key.kid}, _claims(uid))
        mac = hmac.new(key.certificate_pem.encode(), signing_input.encode(), hashlib.sha256)
        return f"{signing_input}.{_b64(mac.digest())}"
    if kind == "tampered_payload":
        header, _, signature = key.mint(uid=uid, project_id=PROJECT_ID).split(".")
        return f"{header}.{_b64(json.dumps(_claims('someone-else')).encode())}.{signature}"
    raise ValueError(kind)


def _minted(key: SigningKey, uid: str, **claims) -> str:
    return key.mint(uid=uid, project_id=PROJECT_ID, **claims)


@pytest.fixture
async def officer():
    return await make_user(Role.RECOVERY_OFFICER)


async def _me(client: httpx.AsyncClient, authorization: str | None) -> httpx.Response:
    headers = {} if authorization is None else {"Authorization": authorization}
    return await client.get("/users/me", headers=headers)


def _assert_refused(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_JSON)
    body = response.json()
    assert body["code"] == code and body["status"] == status
    assert "Traceback" not in response.text


async def test_valid_token_reaches_the_account(client, signing_key, officer):
    response = await client.get("/users/me", headers=bearer(signing_key, officer))
    assert response.status_code == 200
    assert response.json()["uid"] == officer.id


@pytest.mark.parametrize("kind", ["alg_none", "hs256_with_public_key", "tampered_payload"])
async def test_forged_tokens_are_refused(client, signing_key, officer, kind):
    token = _forged(kind, signing_key, officer.id)
    _assert_refused(await _me(client, f"Bearer {token}"), 401, "auth.invalid_token")


async def test_unknown_kid_is_refused(client, officer):
    stranger = SigningKey.generate()
    _assert_refused(
        await _me(client, f"Bearer {_minted(stranger, officer.id)}"), 401, "auth.invalid_token"
    )


@pytest.mark.parametrize(
    ("claims", "code"),
    [
        ({"aud": "another-project"}, "auth.invalid_token"),
        ({"iss": "https://securetoken.google.com/another-project"}, "auth.invalid_token"),
        ({"iss": "https://evil.example/debtx-test"}, "auth.invalid_token"),
        ({"iat": int(time.time()) - 7200, "exp": int(time.time()) - 3600}, "auth.token_expired"),
        ({"iat": int(time.time()) + 600, "exp": int(time.time()) + 4200}, "auth.invalid_token"),
        ({"auth_time": int(time.time()) + 600}, "auth.invalid_token"),
        ({"sub": ""}, "auth.invalid_token"),
        ({"sub": "x" * 129}, "auth.invalid_token"),
    ],
    ids=[
        "wrong_aud",
        "wrong_project_iss",
        "foreign_iss",
        "expired",
        "iat_in_future",
        "auth_time_in_future",
        "empty_sub",
        "sub_too_long",
    ],
)
async def test_bad_claims_are_refused(client, signing_key, officer, claims, code):
    token = _minted(signing_key, officer.id, **claims)
    _assert_refused(await _me(client, f"Bearer {token}"), 401, code)


@pytest.mark.parametrize("missing", ["exp", "iat", "auth_time", "sub", "aud", "iss"])
async def test_tokens_missing_a_required_claim_are_refused(client, signing_key, officer, missing):
    import jwt

    token = jwt.encode(
        {k: v for k, v in _claims(officer.id).items() if k != missing},
        signing_key.private_key,
        algorithm="RS256",
        headers={"kid": signing_key.kid},
    )
    _assert_refused(await _me(client, f"Bearer {token}"), 401, "auth.invalid_token")


async def test_token_without_kid_is_refused(client, signing_key, officer):
    import jwt

    token = jwt.encode(_claims(officer.id), signing_key.private_key, algorithm="RS256")
    _assert_refused(await _me(client, f"Bearer {token}"), 401, "auth.invalid_token")


@pytest.mark.parametrize(
    ("authorization", "code"),
    [
        (None, "auth.not_authenticated"),
        ("", "auth.not_authenticated"),
        ("Bearer", "auth.not_authenticated"),
        ("Bearer    ", "auth.not_authenticated"),
        ("Basic dXNlcjpwYXNz", "auth.not_authenticated"),
        ("Bearer not-a-jwt", "auth.invalid_token"),
        ("Bearer a.b.c", "auth.invalid_token"),
        ("Bearer eyJhbGciOiJSUzI1NiJ9.e30", "auth.invalid_token"),
    ],
    ids=[
        "missing",
        "empty",
        "scheme_only",
        "blank_token",
        "basic",
        "garbage",
        "abc",
        "two_segments",
    ],
)
async def test_missing_or_malformed_authorization_is_refused(client, authorization, code):
    response = await _me(client, authorization)
    _assert_refused(response, 401, code)
    assert response.headers["www-authenticate"] == "Bearer"


async def test_disabled_user_gets_403(client, signing_key):
    user = await make_user(Role.DRC_SUPERVISOR, active=False)
    _assert_refused(
        await client.get("/users/me", headers=bearer(signing_key, user)),
        403,
        "auth.account_disabled",
    )


async def test_valid_token_of_unknown_identity_gets_403(client, signing_key):
    _assert_refused(
        await client.get("/users/me", headers=bearer(signing_key, "nobody")),
        403,
        "auth.unknown_user",
    )


async def test_disabling_takes_effect_on_the_next_request(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    officer = await make_user(Role.RECOVERY_OFFICER)
    headers = bearer(signing_key, officer)
    assert (await client.get("/users/me", headers=headers)).status_code == 200
    patched = await client.patch(
        f"/users/{officer.id}", json={"active": False}, headers=bearer(signing_key, admin)
    )
    assert patched.status_code == 200, patched.text
    _assert_refused(await client.get("/users/me", headers=headers), 403, "auth.account_disabled")


async def test_certificates_are_cached_as_cache_control_allows(
    client, signing_key, cert_server, officer
):
    await client.get("/users/me", headers=bearer(signing_key, officer))
    hits = cert_server.hits
    for _ in range(5):
        assert (
            await client.get("/users/me", headers=bearer(signing_key, officer))
        ).status_code == 200
    assert cert_server.hits == hits


async def test_certificate_store_refetches_when_max_age_lapses():
    key = SigningKey.generate()
    server = CertificateServer(key, max_age=0)
    try:
        async with httpx.AsyncClient() as http:
            store = CertificateStore(http, server.url)
            assert await store.key_for(key.kid) is not None
            assert await store.key_for(key.kid) is not None
            assert server.hits == 2
    finally:
        server.close()


async def test_certificate_store_picks_up_a_rotated_key_once():
    old, new = SigningKey.generate(), SigningKey.generate()
    server = CertificateServer(old)
    try:
        async with httpx.AsyncClient() as http:
            store = CertificateStore(http, server.url)
            assert await store.key_for(old.kid) is not None
            server.certificates = {**new.certificates()}
            # Within the refresh window an unknown kid does not refetch: forged kids
            # cannot make us hammer the certificate endpoint.
            assert await store.key_for(new.kid) is None
            assert server.hits == 1
    finally:
        server.close()


async def test_unreachable_certificates_are_a_503_not_a_401(app, settings):
    from backend.core.errors import ServiceUnavailable

    async with httpx.AsyncClient() as http:
        store = CertificateStore(http, "http://127.0.0.1:9/certs")
        with pytest.raises(ServiceUnavailable):
            await store.key_for("any")


async def test_a_verified_token_is_reused_until_it_expires(signing_key, cert_server):
    from backend.firebase.tokens import TokenVerifier

    async with httpx.AsyncClient() as http:
        verifier = TokenVerifier(
            CertificateStore(http, cert_server.url),
            project_id=PROJECT_ID,
            skew_seconds=0,
            cache_size=2,
        )
        token = _minted(signing_key, "u1", exp=int(time.time()) + 2)
        first = await verifier.verify(token)
        assert await verifier.verify(token) is first
        await asyncio.sleep(2.1)
        with pytest.raises(InvalidToken):
            await verifier.verify(token)


async def test_the_verified_token_cache_is_bounded(signing_key, cert_server):
    from backend.firebase.tokens import TokenVerifier

    async with httpx.AsyncClient() as http:
        verifier = TokenVerifier(
            CertificateStore(http, cert_server.url),
            project_id=PROJECT_ID,
            skew_seconds=0,
            cache_size=2,
        )
        tokens = [_minted(signing_key, f"u{i}") for i in range(3)]
        results = [await verifier.verify(t) for t in tokens]
        assert await verifier.verify(tokens[0]) is not results[0]
        assert await verifier.verify(tokens[2]) is results[2]
