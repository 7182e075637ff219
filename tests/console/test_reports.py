"""The reports page: the service's figures for the same caller, filters with problems
beside their field, CSV and PDF downloads, and an accessible page in Chromium."""

from __future__ import annotations

from playwright.async_api import Page, expect

from backend.console.i18n import Language, translator
from backend.console.reports import column_label
from backend.reports import render, subscriptions
from backend.reports import service as reports
from backend.users.models import Role
from tests.backend.performance.world import build_world
from tests.console.conftest import (
    csrf_of,
    form,
    screenshot,
    serious_violations,
    sign_in,
    sign_in_in_browser,
)
from tests.factories import make_user


async def test_the_page_shows_the_services_figures(app, client, signing_key):
    world = await build_world()
    assert (await sign_in(client, signing_key, world.supervisor)).status_code == 303
    page = await client.get("/console/reports?name=aging")
    assert page.status_code == 200
    table = await reports.run(
        actor=world.supervisor, name="aging", filters=reports.default_filters()
    )
    for row in table.rows:
        if row["cases"]:
            assert f"<td>{render.display(table.columns[4], row['outstanding'])}</td>" in page.text
    assert "Segment outcomes" not in page.text  # operator staff only
    csv = await client.get("/console/reports/download.csv?name=aging")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    pdf = await client.get("/console/reports/download.pdf?name=recovery")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


async def test_a_bad_window_is_shown_beside_its_field(app, client, signing_key):
    world = await build_world()
    await sign_in(client, signing_key, world.admin)
    page = await client.get("/console/reports?name=recovery&from=2026-12-05&to=2026-12-01")
    assert page.status_code == 422
    assert 'id="f-from" name="from"' in page.text and 'aria-invalid="true"' in page.text
    other = await client.get(f"/console/reports?name=aging&drc={world.drc_b}")
    assert other.status_code == 200  # operator staff reach every DRC


async def test_supervisor_reads_a_report_in_the_browser(app, page: Page):
    world = await build_world()
    await sign_in_in_browser(page, world.supervisor)
    await page.get_by_role("link", name="Reports").click()
    await expect(page.get_by_role("heading", name="Reports", exact=True)).to_be_visible()
    await page.get_by_label("Report", exact=True).select_option("promises")
    await page.get_by_role("button", name="Apply").click()
    await expect(page.get_by_role("heading", name="Promises to pay")).to_be_visible()
    await expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    await page.get_by_label("Recipients").fill("team@drc.lk")
    await page.get_by_role("button", name="Schedule").click()
    await expect(page.locator("#report-subscriptions")).to_contain_text("team@drc.lk")
    await expect(page.get_by_role("heading", name="Promises to pay")).to_be_visible()
    await screenshot(page, "reports")
    violations = await serious_violations(page)
    assert not violations, violations


async def test_every_report_and_column_has_its_words_in_each_language(app):
    admin = await make_user(Role.OPERATOR_ADMIN)
    for info in reports.list_reports(actor=admin):
        table = await reports.run(actor=admin, name=info.name, filters=reports.default_filters())
        for language in Language:
            t = translator(language)
            assert t(f"report.{info.name.value}") and t(f"report.{info.name.value}.about")
            assert all(column_label(t, c) for c in table.columns)
        english = translator(Language.ENGLISH)
        assert [column_label(english, c) for c in table.columns] == [c.title for c in table.columns]
        assert english(f"report.{info.name.value}") == info.title


async def test_a_supervisor_schedules_a_report_for_their_drc_and_stops_it(app, client, signing_key):
    world = await build_world()
    await sign_in(client, signing_key, world.supervisor)
    page = await client.get("/console/reports?name=recovery")
    token = csrf_of(page.text)
    bad = await client.post(
        "/console/reports/subscriptions?name=recovery",
        files=form(csrf_token=token, format="csv", frequency="weekly", recipients="not-mail"),
    )
    assert bad.status_code == 422
    assert 'id="f-recipients-problem"' in bad.text and 'aria-invalid="true"' in bad.text
    assert await subscriptions.list_subscriptions(actor=world.supervisor) == []
    made = await client.post(
        "/console/reports/subscriptions?name=recovery",
        files=form(csrf_token=token, format="csv", frequency="weekly", recipients="a@x.lk, b@x.lk"),
    )
    assert made.status_code == 303
    [found] = await subscriptions.list_subscriptions(actor=world.supervisor)
    assert (found.report, found.drc_id, found.recipients) == (
        "recovery",
        world.drc_a,
        ["a@x.lk", "b@x.lk"],
    )
    listed = await client.get("/console/reports")
    assert "a@x.lk, b@x.lk" in listed.text
    stopped = await client.post(
        f"/console/reports/subscriptions/{found.id}/stop", files=form(csrf_token=token)
    )
    assert stopped.status_code == 303
    assert await subscriptions.list_subscriptions(actor=world.supervisor) == []
