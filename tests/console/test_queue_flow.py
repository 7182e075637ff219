"""The work queues in headless Chromium: a supervisor approves a request and resolves the
review inbox, then operator staff approve returned equipment and decide a legal review.

Each queue page is checked with axe-core and saved as a screenshot under .artifacts/console/.
"""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from backend.cases import service as cases
from backend.cases.models import PartStatus
from backend.cases.phases import Phase
from backend.users.models import Role
from sync.models import InboxItem, InboxStatus
from tests.console.conftest import make_team, screenshot, serious_violations, sign_in_in_browser
from tests.console.queue_data import awaiting_approval, in_legal_review, quarantined, raise_request
from tests.factories import make_user

ROWS = "tr[data-item-id]"
REVIEW = re.compile("^Review")


async def _accessible(page: Page, name: str) -> None:
    await screenshot(page, name)
    violations = await serious_violations(page)
    assert not violations, f"{name}: {violations}"


async def _open(page: Page, nav: str, heading: str) -> None:
    await (
        page.get_by_role("navigation", name="Main navigation").get_by_role("link", name=nav).click()
    )
    await expect(page.get_by_role("heading", level=1, name=heading)).to_be_visible()


async def _decide_one(page: Page, where: tuple[str, str], name: str) -> None:
    """Open a queue holding one case, check it, and open that case's page."""
    await _open(page, *where)
    await expect(page.locator(ROWS)).to_have_count(1)
    await _accessible(page, name)
    await page.locator(ROWS).first.get_by_role("link", name=REVIEW).click()
    await expect(page.get_by_role("heading", name="Decision")).to_be_visible()
    await _accessible(page, f"{name}-item")


async def _sign_out(page: Page) -> None:
    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(re.compile(r"/console/sign-in"))


async def test_a_supervisor_and_the_operator_work_their_queues(app, page: Page):
    team = await make_team()
    _, first = await raise_request(team)
    _, kept = await quarantined(team)
    _, second_kept = await quarantined(team)

    await sign_in_in_browser(page, team.supervisor)
    await _open(page, "Requests", "Officer requests")
    await expect(page.locator(ROWS)).to_have_count(1)
    _, later = await raise_request(team, officer=team.officers[1])
    await expect(page.locator(ROWS)).to_have_count(2)  # the list refreshed by itself
    await _accessible(page, "requests")
    await page.locator(f'tr[data-item-id="{first.id}"]').get_by_role("link", name=REVIEW).click()
    await expect(page.get_by_role("heading", name="Officer request")).to_be_visible()
    await _accessible(page, "request-item")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.get_by_role("status")).to_have_text("Approved.")
    await expect(page.locator(ROWS)).to_have_count(1)
    await expect(page.locator(f'tr[data-item-id="{later.id}"]')).to_be_visible()

    await _open(page, "Review inbox", "Review inbox")
    await expect(page.locator(ROWS)).to_have_count(2)
    await expect(page.locator(ROWS).first).to_contain_text("sync.not_holder")
    await _accessible(page, "inbox")
    row = page.locator(f'tr[data-item-id="{kept.id}"]')
    await row.get_by_role("button", name=re.compile("^Re-apply")).click()
    await expect(page.get_by_role("status")).to_have_text("Re-applied.")
    await expect(page.locator(ROWS)).to_have_count(1)
    assert (await InboxItem.get(kept.id)).status is InboxStatus.REAPPLIED

    await page.locator(ROWS).first.get_by_role("link", name=REVIEW).click()
    await expect(page.get_by_role("heading", name="Edit and re-apply")).to_be_visible()
    await _accessible(page, "inbox-item")
    await page.get_by_role("button", name="Dismiss").click()  # no reason yet
    await expect(page.locator("#f-reason-problem")).not_to_be_empty()
    await page.get_by_label("Reason for dismissing").fill("the visit was recorded twice")
    await page.get_by_role("button", name="Dismiss").click()
    await expect(page.get_by_role("status")).to_have_text("Dismissed.")
    await expect(page.get_by_text("Nothing is waiting for review.")).to_be_visible()
    dismissed = await InboxItem.get(second_kept.id)
    assert dismissed.review.note == "the visit was recorded twice"

    waiting = await awaiting_approval()
    review = await in_legal_review()
    await _sign_out(page)
    await sign_in_in_browser(page, await make_user(Role.OPERATOR_OFFICER))
    await _decide_one(page, ("Equipment approval", "Returned equipment to approve"), "cpe")
    await expect(page.get_by_text("working, with its power cable")).to_be_visible()
    await page.get_by_label("RCMP reference").fill("RCMP-2291")
    await page.get_by_role("button", name="Approve").click()
    await expect(page.get_by_role("status")).to_have_text("Approved.")
    approved = await cases.get_unscoped(str(waiting.id))
    assert approved.cpe_status is PartStatus.DONE

    await _decide_one(page, ("Legal review", "Legal review"), "legal")
    await expect(page.get_by_text("no means and no assets found")).to_be_visible()
    await page.get_by_label("Reason").fill("a new offer came in")
    await page.get_by_role("button", name="Reject").click()
    await expect(page.get_by_role("status")).to_have_text("Rejected.")
    assert (await cases.get_unscoped(str(review.id))).phase is Phase.MEDIATION
