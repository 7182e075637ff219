"""The disputes pages in headless Chromium: an operator raises a dispute (a refused amount
shown beside its field first), investigates and resolves it. Each page is checked with
axe-core and saved as a screenshot."""

from __future__ import annotations

from playwright.async_api import Page, expect

from backend.customers.models import Customer
from backend.disputes.models import BillingDispute
from backend.users.models import Role
from tests.console.conftest import sign_in_in_browser
from tests.console.test_admin_flow import _accessible, _open
from tests.factories import make_account, make_user


async def test_an_operator_raises_investigates_and_resolves_a_dispute(app, page: Page):
    officer = await make_user(Role.OPERATOR_OFFICER)
    account = await make_account()
    await sign_in_in_browser(page, officer)

    await _open(page, "Disputes", "Billing and payment disputes")
    await page.get_by_role("link", name="Raise a dispute").click()
    await page.get_by_label("Kind").select_option("payment_not_credited")
    await page.get_by_label("Account number").fill(account.id)
    await page.get_by_label("Amount (rupees)").fill("abc")
    await page.get_by_label("What the customer says").fill("Paid by card on the 3rd")
    await page.get_by_role("button", name="Raise a dispute").click()
    await expect(page.locator("#f-amount-problem")).not_to_be_empty()
    await _accessible(page, "dispute_new")
    await page.get_by_label("Amount (rupees)").fill("2500")
    await page.get_by_role("button", name="Raise a dispute").click()
    await expect(page.get_by_role("status")).to_have_text("Raised: collection contact is on hold.")
    await _accessible(page, "dispute")
    [dispute] = await BillingDispute.find_all().to_list()
    assert dispute.amount.amount == 250_000 and dispute.raised_by == officer.id

    await _open(page, "Disputes", "Billing and payment disputes")
    await _accessible(page, "disputes")
    row = page.locator(f'tr[data-item-id="{dispute.id}"]')
    await row.get_by_role("link", name="Review").click()
    await page.get_by_role("button", name="Investigate").click()
    await expect(page.get_by_role("status")).to_have_text("Under investigation.")
    await row.get_by_role("link", name="Review").click()
    await page.get_by_label("Outcome").select_option("correct")
    await page.get_by_label("Note").fill("Card payment matched to the account by hand")
    await page.get_by_role("button", name="Resolve").click()
    await expect(page.get_by_role("status")).to_have_text("Resolved.")
    await expect(row).to_have_count(0)
    resolved = await BillingDispute.get(dispute.id)
    assert resolved.status == "resolved" and resolved.resolution.outcome == "correct"
    assert (await Customer.get(account.customer_id)).dispute is None
