"""The console in headless Chromium, against the app under uvicorn: what a supervisor does.

Each main page is checked with axe-core (from the console's own static file) and saved as
a screenshot under .artifacts/console/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.async_api import ConsoleMessage, Page, expect

from tests.console.conftest import make_team, screenshot, serious_violations, sign_in_in_browser
from tests.factories import make_case

ROWS = "tr[data-case-id]"


def _csp_errors(page: Page) -> list[str]:
    """Messages the browser logs when the policy blocks something: there must be none."""
    seen: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            seen.append(message.text)

    page.on("console", note)
    return seen


async def _accessible(page: Page, name: str) -> None:
    await screenshot(page, name)
    violations = await serious_violations(page)
    assert not violations, f"{name}: {violations}"


async def test_a_supervisor_works_the_case_list(app, page: Page):
    team = await make_team()
    for _ in range(24):
        await make_case("assigned", ro=team.officers[0])
    await make_case("negotiation", ro=team.officers[1], customer_name="Nimal Perera")
    await make_case("negotiation", ro=team.officers[1], customer_name="Kumari Silva")
    blocked = _csp_errors(page)

    response = await page.goto("/console/sign-in")
    assert response and "unsafe-inline" not in response.headers["content-security-policy"]
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    await _accessible(page, "sign-in")

    await sign_in_in_browser(page, team.supervisor)
    await expect(page.locator(ROWS)).to_have_count(25)
    await expect(page.get_by_role("heading", name="Cases", exact=True)).to_be_visible()
    await _accessible(page, "case-list")

    await page.get_by_label("Phase").select_option("negotiation")
    await expect(page.locator(ROWS)).to_have_count(2)
    assert "phase=negotiation" in page.url
    await page.get_by_label("Search", exact=True).fill("perera")
    await page.get_by_label("Search", exact=True).press("Enter")
    await expect(page.locator(ROWS)).to_have_count(1)
    await expect(page.locator(ROWS).first).to_contain_text("Nimal Perera")

    await page.get_by_role("link", name="Clear filters").click()
    await page.get_by_label("Officer").select_option(team.officers[0].id)
    await expect(page.locator(ROWS)).to_have_count(24)
    await page.get_by_label("Officer").select_option("")
    await expect(page.locator(ROWS)).to_have_count(25)
    await page.get_by_role("link", name="Next page").click()
    await expect(page.locator(ROWS)).to_have_count(1)
    await page.get_by_role("link", name="First page").click()
    await expect(page.locator(ROWS)).to_have_count(25)
    await page.set_viewport_size({"width": 768, "height": 1024})  # the tablet held upright
    await _accessible(page, "case-list-portrait")
    assert not blocked, blocked


async def test_the_list_refreshes_itself_and_opens_a_case(app, page: Page):
    team = await make_team()
    await make_case("assigned", ro=team.officers[0])
    await sign_in_in_browser(page, team.supervisor)
    await expect(page.locator(ROWS)).to_have_count(1)
    arrived = await make_case("negotiation", ro=team.officers[1], customer_name="Arrived Later")
    # no reload: the results poll themselves (every second in these tests)
    await expect(page.locator(f'tr[data-case-id="{arrived.id}"]')).to_be_visible()
    await expect(page.locator(ROWS)).to_have_count(2)

    await page.get_by_role("link", name="Arrived Later").click()
    await expect(page.get_by_role("heading", name="Arrived Later")).to_be_visible()
    await expect(page.get_by_text(team.officers[1].display_name)).to_be_visible()
    await _accessible(page, "case-detail")


async def test_another_drcs_case_is_the_not_found_page(app, page: Page):
    team, other = await make_team(), await make_team()
    theirs = await make_case("assigned", ro=other.officers[0])
    await sign_in_in_browser(page, team.supervisor)
    response = await page.goto(f"/console/cases/{theirs.id}")
    assert response and response.status == 404
    await expect(page.get_by_role("heading", name="Not found")).to_be_visible()
    await _accessible(page, "not-found")


async def test_a_customer_name_with_a_script_renders_as_text(app, page: Page):
    team = await make_team()
    name = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    case = await make_case("assigned", ro=team.officers[0], customer_name=name)
    await sign_in_in_browser(page, team.supervisor)
    await expect(page.get_by_role("link", name=name)).to_be_visible()
    await page.goto(f"/console/cases/{case.id}")
    await expect(page.get_by_role("heading", name=name)).to_be_visible()
    assert await page.evaluate("() => window.pwned === undefined")
    await screenshot(page, "escaped-name")


@pytest.fixture
def attacker(console_url: str) -> Iterator[str]:
    """A page on another origin that posts a form to the console the moment it opens."""
    html = f"""<!doctype html><html lang="en"><title>Win a prize</title><body>
      <form id="f" method="post" action="{console_url}/console/language"
            enctype="multipart/form-data">
        <input name="language" value="ta"><input name="csrf_token" value="guessed">
        <input name="next" value="/console/cases">
      </form><script>document.getElementById("f").submit()</script></body></html>""".encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/html")
            self.send_header("content-length", str(len(html)))
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


async def test_a_cross_site_form_post_is_refused(app, page: Page, attacker: str):
    team = await make_team()
    await sign_in_in_browser(page, team.supervisor)
    async with page.expect_response(lambda r: r.url.endswith("/console/language")) as posted:
        await page.goto(attacker)
    refused = await posted.value
    assert refused.status == 403
    await expect(page.get_by_role("heading", name="Request refused")).to_be_visible()
    await expect(page.get_by_text("Cross-site request refused")).to_be_visible()
    await screenshot(page, "cross-site-refused")
    await page.goto("/console/cases")
    assert await page.get_attribute("html", "lang") == "en"  # nothing changed


async def test_the_language_switch_relabels_every_page(app, page: Page):
    team = await make_team()
    await make_case("assigned", ro=team.officers[0])
    await sign_in_in_browser(page, team.supervisor)
    await page.get_by_label("Language").select_option("ta")
    await expect(page.locator("html")).to_have_attribute("lang", "ta")
    await expect(page.get_by_role("heading", name="வழக்குகள்", exact=True)).to_be_visible()
    await _accessible(page, "case-list-tamil")
    await page.get_by_label("மொழி").select_option("si")
    await expect(page.get_by_role("heading", name="නඩු ගොනු", exact=True)).to_be_visible()
