"""The collections pages in headless Chromium: an operator edits a segment and a
strategy's step, opens an account's page from the worklist, and claims and closes the
worklist item. Each page is checked with axe-core and saved as a screenshot."""

from __future__ import annotations

from datetime import date

from playwright.async_api import Page, expect

from backend.dunning import service as dunning
from backend.dunning import strategies
from backend.dunning.schemas import StrategyCreate
from backend.segments import service as segments
from backend.users.models import Role
from backend.worklist import service as worklist
from backend.worklist.models import WorkKind, WorkStatus
from tests.console.conftest import sign_in_in_browser
from tests.console.test_admin_flow import _accessible, _open
from tests.console.test_collections_pages import LADDER, _experiment, _segment
from tests.factories import make_account, make_user


async def test_an_operator_works_segments_strategies_an_account_and_the_worklist(app, page: Page):
    officer = await make_user(Role.OPERATOR_OFFICER)
    await _segment(officer)
    data = StrategyCreate(segment_id="everyone", name="Standard", steps=LADDER)
    await strategies.create_strategy(actor=officer, data=data)
    account = await make_account()
    await dunning.evaluate_accounts([account.id])
    item = await worklist.open_item(
        kind=WorkKind.ESCALATION,
        title="No answer after the reminder",
        due=date.today(),
        account_id=account.id,
        customer_id=account.customer_id,
    )
    await sign_in_in_browser(page, officer)

    await _open(page, "Segments", "Segments of accounts in arrears")
    await _accessible(page, "segments")
    await page.get_by_role("link", name="Edit Everyone").click()
    await page.get_by_label("Days past due, at least").fill("1")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Segment saved as a new version.")
    changed = await segments.get_segment(segment_id="everyone")
    assert changed.rules.days_past_due_min == 1 and changed.version == 2

    await _open(page, "Strategies", "Dunning strategies")
    await _accessible(page, "strategies")
    await page.get_by_role("link", name="Edit steps Everyone").click()
    await page.locator('[name="steps.0.wait_days"]').fill("4")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Strategy saved as a new version.")
    now = await strategies.get_strategy(strategy_id="everyone")
    assert now.version == 2 and now.steps[0].wait_days == 4

    await _open(page, "Worklist", "Staff worklist")
    await _accessible(page, "worklist")
    row = page.locator(f'tr[data-item-id="{item.id}"]')
    await row.get_by_role("link", name=account.id).click()
    await expect(page.get_by_role("heading", name=f"Account {account.id}")).to_be_visible()
    await expect(page.locator('[data-ledger-step="reminder"]')).to_contain_text("Message sent")
    await _accessible(page, "account")

    await _open(page, "Worklist", "Staff worklist")
    await row.get_by_role("button", name="Claim").click()
    await expect(page.get_by_role("status")).to_have_text("Claimed: the item is yours.")
    await row.get_by_role("link", name="Review").click()
    await page.get_by_label("What was done").fill("Called the customer; paying Friday")
    await page.get_by_role("button", name="Close with this note").click()
    await expect(page.get_by_role("status")).to_have_text("Closed.")
    await expect(row).to_have_count(0)
    done = await worklist.get_item(actor=officer, item_id=str(item.id))
    assert done.status is WorkStatus.DONE and done.assignee == officer.id


async def test_an_operator_reads_the_champion_challenger_report_and_promotes(app, page: Page):
    officer = await make_user(Role.OPERATOR_ADMIN)
    await _experiment(officer)
    await sign_in_in_browser(page, officer)
    await _open(page, "Strategies", "Dunning strategies")
    await page.get_by_role("link", name="Champion/challenger Everyone").click()
    await expect(page.locator('tr[data-arm="challenger"]')).to_be_visible()
    await _accessible(page, "experiment")
    await page.get_by_role("button", name="Promote").click()
    await expect(page.get_by_role("status")).to_contain_text("Challenger promoted")
    now = await strategies.get_strategy(strategy_id="everyone")
    assert now.version == 2 and now.steps[0].key == "nudge"
