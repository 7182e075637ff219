"""Uploads and commission in headless Chromium, against the app under uvicorn: an operator
uploads a file and watches its import finish; a supervisor exports a statement."""

from __future__ import annotations

import csv
import io
import re

from playwright.async_api import Page, expect

from backend.users.models import Role
from tests.backend.intake.samples import csv_text, row
from tests.console.conftest import make_team, screenshot, serious_violations, sign_in_in_browser
from tests.console.helpers import book_earning, publish_rates
from tests.factories import make_user

ROWS = 700  # more than one chunk, so the bar moves while the page polls


async def _accessible(page: Page, name: str) -> None:
    await screenshot(page, name)
    violations = await serious_violations(page)
    assert not violations, f"{name}: {violations}"


async def _downloaded(page: Page, link_name: str) -> list[list[str]]:
    async with page.expect_download() as info:
        await page.get_by_role("link", name=link_name).click()
    download = await info.value
    path = await download.path()
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _file() -> bytes:
    rows = [row(n) for n in range(1, ROWS + 1)]
    rows[9] = row(10, overdue_since="2999-01-01")  # line 11: refused
    return csv_text(rows).encode()


async def test_an_operator_uploads_a_file_and_reads_its_report(app, page: Page):
    operator = await make_user(Role.OPERATOR_OFFICER)
    await sign_in_in_browser(page, operator)
    await page.get_by_role("link", name="Uploads").click()
    await expect(page.get_by_role("heading", name="Incident uploads")).to_be_visible()
    await _accessible(page, "uploads")

    await page.get_by_label("File", exact=True).set_input_files(
        {"name": "june.csv", "mimeType": "text/csv", "buffer": _file()}
    )
    await page.get_by_role("button", name="Upload").click()
    await page.wait_for_url(re.compile(r"/console/uploads/[0-9a-f]{24}$"))
    bar = page.locator("progress#upload-progress-bar")
    await expect(bar).to_have_attribute("max", str(ROWS))
    await expect(bar).to_have_attribute("value", str(ROWS), timeout=60_000)
    assert await bar.evaluate("p => p.value === p.max")
    await expect(page.get_by_role("status")).to_have_text("Done")
    report = page.locator("#upload-report tbody tr")
    await expect(report).to_have_count(1)
    await expect(report.first).to_contain_text("overdue_since")
    await _accessible(page, "upload-report")

    table = await _downloaded(page, "Download CSV")
    assert table[0] == ["Row", "Outcome", "Field", "Problem"]
    assert [r[:3] for r in table[1:]] == [["11", "Refused", "overdue_since"]]

    await page.get_by_role("link", name="All uploads").click()
    await expect(page.locator("tr[data-batch-id]")).to_have_count(1)
    await expect(page.locator("tr[data-batch-id]")).to_contain_text("june.csv")


async def test_a_supervisor_exports_a_statement(app, page: Page):
    await publish_rates()
    team = await make_team(officers=0)
    await book_earning(team.drc_id, "=cmd|' /C calc'!A0")
    await sign_in_in_browser(page, team.supervisor)
    await page.get_by_role("link", name="Commission").click()
    await expect(page.get_by_role("heading", name="Rate tables")).to_be_visible()
    await _accessible(page, "commission")

    await page.get_by_role("button", name="Open statement").click()
    await expect(page.get_by_role("heading", level=1)).to_contain_text(team.drc_id)
    await expect(page.locator("tr[data-entry-id]")).to_have_count(1)
    await _accessible(page, "commission-statement")

    header, entry = await _downloaded(page, "Download CSV")
    assert header[3] == "Customer" and entry[3] == "'=cmd|' /C calc'!A0"


async def test_an_admin_opens_the_rates_form(app, page: Page):
    await publish_rates()
    await sign_in_in_browser(page, await make_user(Role.OPERATOR_ADMIN))
    await page.goto("/console/commission")
    await page.get_by_role("link", name="Publish new rates").click()
    await expect(page.get_by_label("Row 1: Rate (basis points)")).to_have_value("1000")
    await _accessible(page, "commission-rates")
