"""The console under test: in-process for HTTP checks, under uvicorn for Chromium."""

from __future__ import annotations

import re
import shutil
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from backend.devstack import components as c
from backend.firebase.devkeys import SigningKey
from backend.users.models import Role, User
from tests.conftest import PROJECT_ID
from tests.factories import make_drc, make_user
from tests.harness import ROOT, settings_env

ARTIFACTS = ROOT / ".artifacts" / "console"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TABLET = {"width": 1024, "height": 768}
FIREBASE_API_KEY = "test-web-api-key"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _serve(workdir: Path, env: dict[str, str], port: int | None = None) -> c.Component:
    server = c.uvicorn("console", "backend.main:create_app", port or c.free_port(), workdir, env)
    try:
        return server.start().wait_ready(60)
    except c.ComponentMissing as exc:
        pytest.fail(f"The app did not start under uvicorn: {exc}", pytrace=False)


@pytest.fixture(scope="session")
def console_url(app, settings, tmp_path_factory) -> Iterator[str]:
    """The app under uvicorn, set up as `make run` sets it up: its development sign-in
    mints tokens with a local key whose certificates it serves itself."""
    workdir = tmp_path_factory.mktemp("console")
    port = c.free_port()
    env = {
        **settings_env(settings),
        "DEBTX_AUTH__DEV_KEY_DIR": str(workdir / "keys"),
        "DEBTX_FIREBASE__CERT_URL": f"http://127.0.0.1:{port}/auth/dev/certs",
        "DEBTX_CONSOLE__REFRESH_SECONDS": "1",
        "DEBTX_CONSOLE__DASHBOARD_REFRESH_SECONDS": "1",
    }
    server = _serve(workdir, env, port)
    yield f"http://{server.address}"
    server.stop()


@pytest.fixture(scope="session")
def firebase_console_url(app, settings, tmp_path_factory) -> Iterator[str]:
    """The app as production runs it: no development sign-in, the Firebase JS SDK's page,
    tokens checked against the certificate server (Google's stand-in)."""
    env = {
        **settings_env(settings),
        "DEBTX_AUTH__DEV_LOGIN": "false",
        "DEBTX_CONSOLE__FIREBASE_API_KEY": FIREBASE_API_KEY,
    }
    server = _serve(tmp_path_factory.mktemp("firebase-console"), env)
    yield f"http://{server.address}"
    server.stop()


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        pytest.fail(
            "Chromium is missing: install Debian's `chromium` package "
            "(`apt-get install chromium`; `make setup` does it as root)",
            pytrace=False,
        )
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=executable, args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(browser: Browser, console_url: str) -> AsyncIterator[Page]:
    """A fresh browser profile (no cookies) the size of a tablet held landscape."""
    context = await browser.new_context(base_url=console_url, viewport=TABLET)
    context.set_default_timeout(15_000)
    opened = await context.new_page()
    yield opened
    await context.close()


async def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def serious_violations(page: Page) -> list[str]:
    """axe-core, loaded from the console's own static file, on the page as it is."""
    await page.add_script_tag(url="/console/static/vendor/axe.min.js")
    result = await page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def sign_in_in_browser(page: Page, user: User, *, next_path: str = "") -> None:
    """The development sign-in form, as a person fills it in."""
    await page.goto(f"/console/sign-in{next_path and f'?next={next_path}'}")
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url(re.compile(r"/console/cases"))


@dataclass
class Team:
    drc_id: str
    supervisor: User
    officers: list[User]


async def make_team(officers: int = 2) -> Team:
    drc = await make_drc()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    team = [await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id) for _ in range(officers)]
    return Team(drc.id, supervisor, team)


def csrf_of(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "the page has no CSRF field"
    return match.group(1)


def form(**fields: str) -> dict[str, tuple[None, str]]:
    """Multipart fields, as the console's forms send them."""
    return {name: (None, value) for name, value in fields.items()}


async def sign_in(client: httpx.AsyncClient, key: SigningKey, user: User) -> httpx.Response:
    """The production path: an ID token (signed as Google would) posted by the page."""
    page = await client.get("/console/sign-in")
    token = key.mint(uid=user.id, project_id=PROJECT_ID)
    return await client.post(
        "/console/sign-in/token", files=form(id_token=token, csrf_token=csrf_of(page.text))
    )
