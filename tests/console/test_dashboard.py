"""The dashboard: its figures are the API's for the same caller, they refresh, and its
charts are drawn (in Chromium) on an accessible page."""

from __future__ import annotations

import html
import json
import re
from html.parser import HTMLParser

from playwright.async_api import Page, expect

from backend.console.i18n import Language, translator
from backend.users.models import User
from tests.backend.performance.world import World, build_world, pay
from tests.console.conftest import (
    csrf_of,
    form,
    screenshot,
    serious_violations,
    sign_in,
    sign_in_in_browser,
)
from tests.console.test_browser import _csp_errors
from tests.factories import bearer

Table = dict[str, dict[str, str]]


class _Figures(HTMLParser):
    """The dashboard's tables as {table id: {row: {figure: value}}}, and its cards."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, Table] = {}
        self.cards: dict[str, str] = {}
        self._table: Table | None = None
        self._row: dict[str, str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {name: value or "" for name, value in attrs}
        if tag == "table" and found.get("id", "").startswith("figures-"):
            self._table = self.tables.setdefault(found["id"].removeprefix("figures-"), {})
        elif tag == "tr" and self._table is not None and "data-row" in found:
            self._row = self._table.setdefault(found["data-row"], {})
        elif "data-figure" in found:
            target = self._row if self._row is not None else self.cards
            target[found["data-figure"]] = found["data-value"]

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self._table = None
        elif tag == "tr":
            self._row = None


def figures_of(html: str) -> _Figures:
    parser = _Figures()
    parser.feed(html)
    return parser


def _performance(body: dict) -> Table:
    return {
        row["id"]: {
            "cases_held": str(row["cases_held"]),
            "contacts": str(row["contacts"]),
            "promises_kept": str(row["promises_kept"]),
            "promises_broken": str(row["promises_broken"]),
            "collected": str(row["collected"]["amount"]),
        }
        for row in body["rows"]
    }


async def _api(client, signing_key, user: User, path: str) -> dict:
    response = await client.get(f"/performance/{path}", headers=bearer(signing_key, user))
    assert response.status_code == 200, response.text
    return response.json()


async def _expected(client, signing_key, user: User, months: int) -> dict[str, Table]:
    """The dashboard's tables, built from the API's answers to the same caller."""
    phases = await _api(client, signing_key, user, "phases")
    aging = await _api(client, signing_key, user, "aging")
    recovery = await _api(client, signing_key, user, f"recovery?months={months}")
    officers = await _api(client, signing_key, user, f"officers?months={months}")
    tables = {
        "phases": {phase: {"cases": str(n)} for phase, n in phases["counts"].items()},
        "aging": {
            str(band["min_days"]): {
                "cases": str(band["cases"]),
                "outstanding": str(band["outstanding"]["amount"]),
            }
            for band in aging["bands"]
        },
        "recovery": {
            month["month"]: {
                "collected": str(month["collected"]["amount"]),
                "placed": str(month["placed"]["amount"]),
                "recovery_rate_bp": str(month["recovery_rate_bp"]),
            }
            for month in recovery["months"]
        },
        "officers": _performance(officers),
    }
    if user.is_operator:
        tables["drcs"] = _performance(
            await _api(client, signing_key, user, f"drcs?months={months}")
        )
    return tables


async def _dashboard(client, signing_key, user: User, query: str = "") -> _Figures:
    client.cookies.clear()
    assert (await sign_in(client, signing_key, user)).status_code == 303
    page = await client.get(f"/console/dashboard{query}")
    assert page.status_code == 200, page.text
    return figures_of(page.text)


async def test_the_dashboard_shows_the_apis_figures_to_the_same_caller(app, client, signing_key):
    world = await build_world()
    for user in (world.supervisor, world.admin):
        shown = await _dashboard(client, signing_key, user, "?months=3")
        expected = await _expected(client, signing_key, user, 3)
        assert shown.tables == expected, user.role
        officers = expected["officers"]
        kept = sum(int(row["promises_kept"]) for row in officers.values())
        broken = sum(int(row["promises_broken"]) for row in officers.values())
        assert shown.cards["promises"] == f"{kept}/{broken}"
        collected = sum(int(m["collected"]) for m in expected["recovery"].values())
        assert shown.cards["collected"] == str(collected)
    # what the supervisor saw is their DRC's: their two officers, no DRC comparison
    supervisor = await _dashboard(client, signing_key, world.supervisor)
    assert set(supervisor.tables["officers"]) == {o.id for o in world.officers[:2]}
    assert "drcs" not in supervisor.tables
    assert supervisor.cards["open_cases"] == "4"


async def test_the_figures_refresh_when_the_data_changes(app, client, signing_key):
    world = await build_world()
    await _dashboard(client, signing_key, world.supervisor)
    polled = {"hx-request": "true", "hx-target": "dashboard-figures"}
    before = await client.get("/console/dashboard", headers=polled)
    assert before.text.lstrip().startswith('<section id="dashboard-figures"')
    assert 'hx-trigger="every ' in before.text
    await pay(world, world.officers[1], world.cases[2], 7_000)
    after = figures_of((await client.get("/console/dashboard", headers=polled)).text)
    assert int(after.cards["collected"]) == int(figures_of(before.text).cards["collected"]) + 7_000
    assert after.tables["officers"][world.officers[1].id]["collected"] == "7000"


async def test_another_drc_is_not_found_and_a_bad_window_is_shown_beside_its_field(
    app, client, signing_key
):
    world = await build_world()
    await _dashboard(client, signing_key, world.supervisor)
    other = await client.get(f"/console/dashboard?drc={world.drc_b}")
    assert other.status_code == 404
    bad = await client.get("/console/dashboard?months=99")
    assert bad.status_code == 422
    assert re.search(r'id="f-months-problem"[^>]*>[^<]*less than or equal to 24', bad.text)


async def test_the_dashboard_speaks_tamil_charts_included(app, client, signing_key):
    world = await build_world()
    await _dashboard(client, signing_key, world.supervisor)
    token = csrf_of((await client.get("/console/dashboard")).text)
    await client.post("/console/language", files=form(language="ta", csrf_token=token))
    page = (await client.get("/console/dashboard")).text
    assert '<html lang="ta"' in page and "கட்டுப்பாட்டுப் பலகை" in page
    charts = {
        match.group(1): json.loads(html.unescape(match.group(2)))
        for match in re.finditer(r"<canvas id=\"chart-(\w+)\" data-chart='([^']*)'", page)
    }
    assert charts["phases"]["labels"][:2] == [
        "புதியது",
        translator(Language.TAMIL)("phase.allocated"),
    ]
    assert charts["officers"]["series"][0]["label"] == "காப்பாற்றிய வாக்குறுதிகள்"


_DRAWN = """(ids) => ids.every((id) => {
  const canvas = document.getElementById(id);
  if (!canvas || !canvas.width || !canvas.height) return false;
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] !== 0) return true;
  return false;
})"""


async def _charts_drawn(page: Page, names: list[str]) -> None:
    await page.wait_for_function(_DRAWN, arg=[f"chart-{name}" for name in names])


async def _sees_the_dashboard(
    page: Page, world: World, user: User, charts: list[str], name: str
) -> None:
    await sign_in_in_browser(page, user)
    await page.get_by_role("link", name="Dashboard").click()
    await expect(page.get_by_role("heading", name="Dashboard", exact=True)).to_be_visible()
    await _charts_drawn(page, charts)
    await screenshot(page, name)
    violations = await serious_violations(page)
    assert not violations, f"{name}: {violations}"
    # a payment recorded meanwhile reaches the page by itself, charts drawn again
    collected = page.locator('#dashboard-cards [data-figure="collected"]')
    before = int(await collected.get_attribute("data-value") or "0")
    await pay(world, world.officers[1], world.cases[2], 7_000)
    await expect(collected).to_have_attribute("data-value", str(before + 7_000))
    await _charts_drawn(page, charts)
    await page.get_by_role("button", name="Sign out").click()


async def test_supervisor_and_operator_see_the_charts_drawn(app, page: Page):
    world: World = await build_world()
    blocked = _csp_errors(page)
    supervisor_charts = ["phases", "aging", "recovery", "officers"]
    await _sees_the_dashboard(page, world, world.supervisor, supervisor_charts, "dashboard")
    operator_charts = [*supervisor_charts, "drcs"]
    await _sees_the_dashboard(page, world, world.admin, operator_charts, "dashboard-operator")
    assert blocked == []


async def test_an_operator_picks_a_drc_and_reads_the_dashboard_in_sinhala(app, page: Page):
    world = await build_world()
    await sign_in_in_browser(page, world.admin)
    await page.goto("/console/dashboard")
    await page.get_by_label("DRC", exact=True).select_option(world.drc_b)
    await page.wait_for_url(re.compile(rf"drc={world.drc_b}"))
    officers = page.locator("#figures-officers tbody tr[data-row]")
    await expect(officers).to_have_count(1)
    await expect(officers).to_have_attribute("data-row", world.officers[2].id)
    await _charts_drawn(page, ["phases", "aging", "recovery", "officers", "drcs"])
    await page.get_by_label("Language").select_option("si")
    await expect(page.get_by_role("heading", name="උපකරණ පුවරුව", exact=True)).to_be_visible()
    assert f"drc={world.drc_b}" in page.url  # the choice stays with the language
    await _charts_drawn(page, ["phases", "aging", "recovery", "officers", "drcs"])
    await screenshot(page, "dashboard-sinhala")
    violations = await serious_violations(page)
    assert not violations, violations
