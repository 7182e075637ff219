"""The reconciliation page: the day's report through the service the API uses, its CSV,
running a day from the page, and operator staff only; in Chromium, checked with axe."""

from __future__ import annotations

import csv
import io

from playwright.async_api import Page, expect

from backend.devstack.bank import camt053
from backend.receipts.models import Receipt
from backend.reconciliation import service
from backend.reconciliation.models import DailyReport
from backend.users.models import Role
from tests.backend.banking.statements import DAY, transaction
from tests.backend.reconciliation.helpers import callback, payable, statement
from tests.console.conftest import csrf_of, form, make_team, sign_in, sign_in_in_browser
from tests.console.test_admin_flow import _accessible, _open
from tests.factories import make_user


async def _a_day_with_exceptions(settings) -> tuple[str, str]:
    """The bank's callbacks and statement of DAY: one line without a callback and one twice."""
    one, two, extra = await payable(11_100), await payable(22_200), await payable(33_300)
    await callback(one)
    await callback(two)
    await statement(settings, [one, two, extra, two])
    return extra.transaction_id, two.transaction_id


async def test_the_page_shows_the_report_and_its_csv(app, client, signing_key, settings):
    missing, duplicated = await _a_day_with_exceptions(settings)
    await service.run_daily(day=DAY, settings=settings.bank)
    await sign_in(client, signing_key, await make_user(Role.OPERATOR_OFFICER))
    page = await client.get("/console/reconciliation", params={"day": DAY.isoformat()})
    assert page.status_code == 200
    assert f'data-transaction="{missing}"' in page.text
    assert f'data-transaction="{duplicated}"' in page.text

    download = await client.get("/console/reconciliation/download", params={"day": "2026-11-30"})
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert {(r["section"], r["transaction_id"]) for r in rows if r["section"] != "summary"} == {
        ("missing", missing),
        ("duplicated", duplicated),
    }

    bad = await client.get("/console/reconciliation", params={"day": "2026-02-30"})
    assert bad.status_code == 422 and 'aria-invalid="true"' in bad.text


async def test_a_day_is_run_from_the_page_with_its_csrf_token(app, client, signing_key, settings):
    await _a_day_with_exceptions(settings)
    await sign_in(client, signing_key, await make_user(Role.OPERATOR_ADMIN))
    page = await client.get("/console/reconciliation", params={"day": "2026-11-30"})
    assert "not been reconciled yet" in page.text
    refused = await client.post("/console/reconciliation/run", files=form(day="2026-11-30"))
    assert refused.status_code == 403 and await DailyReport.count() == 0
    token = csrf_of(page.text)
    ran = await client.post(
        "/console/reconciliation/run", files=form(day="2026-11-30", csrf_token=token)
    )
    assert ran.status_code == 303 and ran.headers["location"].endswith("?day=2026-11-30")
    assert (await DailyReport.get("2026-11-30")).providers[0].missing


async def test_a_supervisor_does_not_reach_the_page(app, client, signing_key):
    team = await make_team(officers=0)
    await sign_in(client, signing_key, team.supervisor)
    answer = await client.get("/console/reconciliation")
    assert answer.status_code in (403, 404)
    assert "Daily reconciliation" not in answer.text


async def test_an_operator_reads_the_days_reconciliation_in_the_browser(app, page: Page, settings):
    missing, duplicated = await _a_day_with_exceptions(settings)
    operator = await make_user(Role.OPERATOR_OFFICER)
    await sign_in_in_browser(page, operator)
    await _open(page, "Reconciliation", "Daily reconciliation")
    await page.get_by_label("Day (UTC)").fill("2026-11-30")
    await page.get_by_role("button", name="Show").click()
    await expect(page.get_by_text("This day has not been reconciled yet.")).to_be_visible()
    await page.get_by_role("button", name="Reconcile 2026-11-30 now").click()
    await expect(page.locator(f'tr[data-transaction="{missing}"]')).to_be_visible()
    await expect(page.locator(f'tr[data-transaction="{duplicated}"]')).to_be_visible()
    bank = page.locator('tr[data-provider="bank"]')
    await expect(bank).to_contain_text("3")
    await _accessible(page, "reconciliation")
    async with page.expect_download() as download:
        await page.get_by_role("link", name="Download CSV").click()
    assert (await download.value).suggested_filename == "reconciliation-2026-11-30.csv"


async def test_a_statement_is_imported_from_the_page_and_a_bad_one_refused(
    app, client, signing_key
):
    await sign_in(client, signing_key, await make_user(Role.OPERATOR_OFFICER))
    token = csrf_of((await client.get("/console/reconciliation")).text)
    bad = {"file": ("bad.xml", b"<Document>", "application/xml"), "csrf_token": (None, token)}
    refused = await client.post("/console/reconciliation/statements", files=bad)
    assert refused.status_code == 422 and "not well-formed camt.053" in refused.text
    assert 'aria-invalid="true"' in refused.text and await Receipt.count() == 0

    content = camt053("STMT-C", [transaction(), transaction()])
    good = {"file": ("camt.xml", content, "application/xml"), "csrf_token": (None, token)}
    done = await client.post("/console/reconciliation/statements", files=good)
    assert done.status_code == 303 and "day=2026-11-30&statement=" in done.headers["location"]
    shown = await client.get(done.headers["location"])
    assert "camt.xml imported: 2 lines." in shown.text and await Receipt.count() == 2
    again = await client.post("/console/reconciliation/statements", files=good)
    assert "was imported before" in (await client.get(again.headers["location"])).text
    assert await Receipt.count() == 2
