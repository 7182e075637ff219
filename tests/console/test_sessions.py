"""Sign-in, sessions, CSRF and the console's headers, through the app in process."""

from __future__ import annotations

import time

import pytest
from starlette.requests import Request
from starlette.responses import Response

from backend.console.security import safe_next
from backend.console.sessions import COOKIE, Session, SessionCodec
from backend.core.settings import Settings
from backend.users.models import Role
from tests.backend.core.test_settings import REAL_PII, REAL_REST
from tests.console.conftest import csrf_of, form, make_team, sign_in
from tests.factories import make_user

REAL_SECRET = "s" * 40


def _cookie_header(response) -> str:
    return next(v for k, v in response.headers.multi_items() if k == "set-cookie")


async def test_the_console_is_not_part_of_the_api_contract(app):
    assert not [path for path in app.openapi()["paths"] if path.startswith("/console")]


async def test_the_sign_in_page_starts_a_session_cookie_fit_for_a_browser(app, client):
    response = await client.get("/console/sign-in")
    assert response.status_code == 200
    cookie = _cookie_header(response).lower()
    assert cookie.startswith(f"{COOKIE}=")
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/console" in cookie
    assert "secure" not in cookie  # plain http in tests; production sets it


def test_production_cookies_are_secure():
    settings = Settings(_env_file=None, env="production", pii=REAL_PII, **REAL_REST)
    response = Response()
    SessionCodec(settings).write(response, Session.anonymous())
    assert "secure" in response.headers["set-cookie"].lower()


def _request_with(cookie: str) -> Request:
    return Request({"type": "http", "headers": [(b"cookie", f"{COOKIE}={cookie}".encode())]})


def _written(codec: SessionCodec, session: Session) -> str:
    response = Response()
    codec.write(response, session)
    return response.headers["set-cookie"].split(";")[0].split("=", 1)[1]


def test_sessions_end_after_their_lifetime_and_refuse_tampering(settings):
    codec = SessionCodec(settings)
    live = Session.anonymous().signed_in("u1")
    assert codec.read(_request_with(_written(codec, live))) == live
    started_long_ago = Session(
        sid="s", csrf="c", language=live.language, started=time.time() - codec.ttl - 5, uid="u1"
    )
    assert codec.read(_request_with(_written(codec, started_long_ago))) is None
    forged = _written(SessionCodec(settings.model_copy(update={"console": _other_secret()})), live)
    assert codec.read(_request_with(forged)) is None


def _other_secret():
    from backend.core.settings import ConsoleSettings

    return ConsoleSettings(session_secret="another-secret-of-enough-length-000000")


async def test_a_verified_id_token_opens_the_console(app, client, signing_key):
    team = await make_team()
    response = await sign_in(client, signing_key, team.supervisor)
    assert response.status_code == 303
    assert response.headers["location"] == "/console"
    landing = await client.get("/console")
    assert landing.headers["location"] == "/console/cases"
    cases = await client.get("/console/cases")
    assert cases.status_code == 200
    assert team.supervisor.display_name in cases.text


async def test_signing_in_issues_a_new_session(app, client, signing_key):
    before = csrf_of((await client.get("/console/sign-in")).text)
    await sign_in(client, signing_key, (await make_team()).supervisor)
    after = csrf_of((await client.get("/console/cases")).text)
    assert before != after


async def test_pages_need_a_session(app, client):
    response = await client.get("/console/cases?phase=all")
    assert response.status_code == 303
    assert response.headers["location"] == "/console/sign-in?next=/console/cases%3Fphase%3Dall"
    htmx = await client.get("/console/cases", headers={"hx-request": "true"})
    assert htmx.status_code == 401 and htmx.headers["hx-redirect"].startswith("/console/sign-in")


async def test_a_disabled_account_is_refused(app, client, signing_key):
    from backend.users import repository

    team = await make_team()
    await sign_in(client, signing_key, team.supervisor)
    await repository.set_fields(team.supervisor.id, {"active": False})
    response = await client.get("/console/cases")
    assert response.status_code == 403
    assert "This DebtX account is disabled" in response.text
    assert "max-age=0" in _cookie_header(response).lower()  # the cookie goes too
    again = await sign_in(client, signing_key, team.supervisor)
    assert again.status_code == 403 and "disabled" in again.text


async def test_an_unknown_identity_is_refused(app, client, signing_key):
    page = await client.get("/console/sign-in")
    token = signing_key.mint(uid="nobody", project_id="debtx-test")
    response = await client.post(
        "/console/sign-in/token", files=form(id_token=token, csrf_token=csrf_of(page.text))
    )
    assert response.status_code == 403 and "no DebtX account" in response.text


async def test_recovery_officers_are_pointed_to_the_app(app, client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    response = await sign_in(client, signing_key, officer)
    assert response.status_code == 403
    assert "Recovery officers work their cases in the DebtX app" in response.text
    assert (await client.get("/console/cases")).status_code == 303  # no session was started


async def test_signing_out_ends_the_session_for_good(app, client, signing_key):
    await sign_in(client, signing_key, (await make_team()).supervisor)
    page = await client.get("/console/cases")
    stolen = client.cookies.get(COOKIE)
    out = await client.post("/console/sign-out", files=form(csrf_token=csrf_of(page.text)))
    assert out.status_code == 303 and out.headers["location"].startswith("/console/sign-in")
    client.cookies.set(COOKIE, stolen, path="/console")
    assert (await client.get("/console/cases")).status_code == 303


async def test_a_post_without_the_session_token_is_refused(app, client, signing_key):
    await sign_in(client, signing_key, (await make_team()).supervisor)
    response = await client.post("/console/language", files=form(language="ta"))
    assert response.status_code == 403
    assert "did not come from the console" in response.text
    wrong = await client.post("/console/language", files=form(language="ta", csrf_token="x"))
    assert wrong.status_code == 403
    assert '<html lang="en"' in (await client.get("/console/cases")).text


async def test_a_cross_site_post_is_refused_even_with_the_token(app, client, signing_key):
    await sign_in(client, signing_key, (await make_team()).supervisor)
    token = csrf_of((await client.get("/console/cases")).text)
    for headers in ({"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"}):
        response = await client.post(
            "/console/language", files=form(language="ta", csrf_token=token), headers=headers
        )
        assert response.status_code == 403
        assert "Cross-site request refused" in response.text


async def test_the_header_token_serves_htmx(app, client, signing_key):
    await sign_in(client, signing_key, (await make_team()).supervisor)
    token = csrf_of((await client.get("/console/cases")).text)
    response = await client.post(
        "/console/language",
        files=form(language="si", next="/console/cases"),
        headers={"x-csrf-token": token, "origin": "http://debtx.test"},
    )
    assert response.status_code == 303
    page = await client.get("/console/cases")
    assert '<html lang="si"' in page.text and "නඩු ගොනු" in page.text


async def test_console_pages_carry_a_strict_policy(app, client):
    response = await client.get("/console/sign-in")
    policy = response.headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert directives["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["cache-control"] == "no-store"
    assert "<script>" not in response.text  # every script is a file


async def test_assets_are_served_from_the_app_and_cached_long(app, client):
    page = await client.get("/console/sign-in")
    for path in ("console.css", "vendor/htmx.min.js", "console.js"):
        assert f"/console/static/{path}?v=" in page.text
        asset = await client.get(f"/console/static/{path}")
        assert asset.status_code == 200, f"{path}: run `make setup` to build the console's assets"
        assert "max-age=31536000" in asset.headers["cache-control"]
    for path in ("vendor/chart.umd.min.js", "vendor/axe.min.js", "signin.js"):
        assert (await client.get(f"/console/static/{path}")).status_code == 200


async def test_the_development_form_shows_the_problem_beside_the_field(app, client):
    page = await client.get("/console/sign-in")
    response = await client.post(
        "/console/sign-in/dev", files=form(email="not-an-email", csrf_token=csrf_of(page.text))
    )
    assert response.status_code == 422
    assert 'aria-invalid="true"' in response.text
    assert '<p id="f-email-problem" class="field-problem text-sm">String should match pattern' in (
        response.text
    )
    unknown = await client.post(
        "/console/sign-in/dev",
        files=form(email="nobody@test.debtx.dev", csrf_token=csrf_of(page.text)),
    )
    assert '<p id="f-email-problem" class="field-problem text-sm">No active account' in (
        unknown.text
    )


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/console/cases?phase=all", "/console/cases?phase=all"),
        ("https://evil.example/console", "/console"),
        ("//evil.example/console", "/console"),
        ("/console//evil.example", "/console"),
        ("/consolex", "/console"),
        ("/console/static/console.css", "/console"),
        (None, "/console"),
    ],
)
def test_only_console_paths_are_places_to_return_to(target, expected):
    assert safe_next(target) == expected


async def test_unknown_console_paths_are_the_not_found_page(app, client):
    response = await client.get("/console/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "This page does not exist, or it is outside your reach." in response.text
