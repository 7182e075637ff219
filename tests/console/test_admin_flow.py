"""The operator's settings pages in headless Chromium: an operator admin manages a user,
an allocation rule and a message template. Each page is checked with axe-core and saved
as a screenshot under .artifacts/console/."""

from __future__ import annotations

from playwright.async_api import Page, expect

from backend.allocation import rules
from backend.allocation.schemas import RuleCreate
from backend.users import service as users
from backend.users.models import Role
from tests.console.conftest import screenshot, serious_violations, sign_in_in_browser
from tests.factories import make_drc, make_user


async def _accessible(page: Page, name: str) -> None:
    await screenshot(page, name)
    violations = await serious_violations(page)
    assert not violations, f"{name}: {violations}"


async def _open(page: Page, link: str, heading: str) -> None:
    await (
        page.get_by_role("navigation", name="Main navigation")
        .get_by_role("link", name=link, exact=True)
        .click()
    )
    await expect(page.get_by_role("heading", name=heading, level=1)).to_be_visible()


async def test_an_admin_manages_users_rules_and_templates(app, page: Page):
    admin = await make_user(Role.OPERATOR_ADMIN)
    drc = await make_drc("DRC-LANKA")
    await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    await rules.create_rule(
        actor=admin, data=RuleCreate(name="Western first", drc_ids=[drc.id], priority=10)
    )
    await rules.create_rule(actor=admin, data=RuleCreate(name="Everything else", priority=90))
    await sign_in_in_browser(page, admin)

    await _open(page, "Users", "Users")
    await _accessible(page, "users")
    await page.get_by_role("link", name="New user").click()
    await _accessible(page, "user-new")
    await page.get_by_label("Sign-in id").fill("ro-kamal")
    await page.get_by_label("Email").fill("kamal@lanka.lk")
    await page.get_by_label("Name", exact=True).fill("Kamal Perera")
    await page.get_by_label("Role").select_option("recovery_officer")
    await page.get_by_label("DRC").select_option(drc.id)
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("User created.")
    row = page.locator('tr[data-uid="ro-kamal"]')
    await expect(row).to_contain_text("Recovery officer")

    await row.get_by_role("link", name="Edit Kamal Perera").click()
    await page.get_by_label("Role").select_option("drc_supervisor")
    await page.get_by_role("button", name="Save").click()
    await expect(row).to_contain_text("DRC supervisor")
    await row.get_by_role("button", name="Disable Kamal Perera").click()
    await expect(page.get_by_role("status")).to_contain_text("User disabled")
    await expect(row).to_contain_text("Disabled")
    kamal = await users.by_uid("ro-kamal")
    assert kamal and (kamal.role, kamal.active) == (Role.DRC_SUPERVISOR, False)

    await _open(page, "DRCs", "Debt recovery companies")
    await expect(page.locator(f'tr[data-drc-id="{drc.id}"]')).to_contain_text("DRC-LANKA Ltd")
    await _accessible(page, "drcs")

    await _open(page, "Allocation", "Allocation rules")
    await _accessible(page, "allocation")
    await page.get_by_role("link", name="Edit Western first").click()
    await _accessible(page, "allocation-rule")
    await page.get_by_label("Name", exact=True).fill("Western, any arrears")
    await page.get_by_label("Regions").fill("Western")
    await page.get_by_role("button", name="Save").click()
    await expect(page.get_by_role("status")).to_have_text("Rule saved.")
    await expect(page.locator("tbody tr").first).to_contain_text("Western, any arrears")
    [edited, _] = await rules.list_rules(actor=admin, include_inactive=True)
    assert (edited.name, edited.conditions.regions) == ("Western, any arrears", ["Western"])

    await _open(page, "Message templates", "Customer message templates")
    await _accessible(page, "templates")
    await page.get_by_role("link", name="Edit Payment reminder · SMS · English").click()
    await page.get_by_label("Text").fill("Dear {first_name}, please pay {amount}.")
    await page.get_by_role("button", name="Save").click()
    body = page.get_by_label("Text")
    await expect(body).to_have_attribute("aria-invalid", "true")
    await expect(body).to_have_value("Dear {first_name}, please pay {amount}.")
    problem = page.locator("#f-body-problem")
    await expect(problem).to_contain_text("Unknown placeholder {first_name}")
    await _accessible(page, "template-refused")
    await page.get_by_label("Text").fill("Dear {name}, please pay {amount} <today>.")
    await page.get_by_role("button", name="Preview").click()
    await expect(page.locator('[data-preview="body"]')).to_have_text(
        "Dear Nimal Perera, please pay LKR 12,500.00 <today>."
    )
