"""A supervisor hands a case to an officer in Chromium; the officer's API list and phone
mirror (the Firestore emulator) then hold it, and the case's page tells the story."""

from __future__ import annotations

from playwright.async_api import Page, expect

from backend.console import timeline
from backend.syncing import mirror
from backend.users.models import Role
from tests.backend.syncing.test_mirror import drain
from tests.console.casework import worked_case
from tests.console.conftest import make_team, screenshot, serious_violations, sign_in_in_browser
from tests.factories import bearer, make_case, make_user

ROWS = "tr[data-case-id]"
PICKS = "input[data-case-pick]"


async def _accessible(page: Page, name: str) -> None:
    await screenshot(page, name)
    violations = await serious_violations(page)
    assert not violations, f"{name}: {violations}"


async def test_a_supervisor_assigns_a_case_and_it_reaches_the_officer(
    app, client, signing_key, page: Page
):
    team = await make_team()
    officer = team.officers[1]
    waiting = await make_case("allocated", drc_id=team.drc_id, customer_name="Nimal Perera")
    await make_case("allocated", drc_id=team.drc_id, customer_name="Kumari Silva")
    await make_case("negotiation", ro=team.officers[0])
    firestore = app.state.resources.firestore
    follower = mirror.mirror(firestore)
    await drain(follower)  # the phones are up to date before the hand-over

    await sign_in_in_browser(page, team.supervisor)
    await expect(page.locator('[data-count="allocated"]')).to_have_text("2")
    await page.locator('a[data-phase="allocated"]').click()
    await expect(page.locator(ROWS)).to_have_count(2)
    assert "phase=allocated" in page.url
    await page.get_by_label("Select every case on this page").check()
    await expect(page.locator(f"{PICKS}:checked")).to_have_count(2)
    await page.get_by_label("Select every case on this page").uncheck()
    await page.get_by_label("Search", exact=True).fill("perera")
    await page.get_by_label("Search", exact=True).press("Enter")
    await expect(page.locator(ROWS)).to_have_count(1)
    await page.get_by_label("Select Nimal Perera").check()
    await page.wait_for_timeout(1500)  # the list refreshes itself meanwhile; the tick stays
    await expect(page.get_by_label("Select Nimal Perera")).to_be_checked()
    await page.get_by_label("Assign to").select_option(officer.id)
    await page.get_by_role("button", name="Assign", exact=True).click()

    outcome = page.locator(f'[data-outcome="assigned"][data-case="{waiting.id}"]')
    await expect(outcome).to_be_visible()
    await expect(page.locator(ROWS)).to_have_count(0)  # no longer waiting for an officer
    await expect(page.locator('[data-count="assigned"]')).to_have_text("1")
    await _accessible(page, "case-list")

    listed = await client.get("/cases", headers=bearer(signing_key, officer))
    assert [case["id"] for case in listed.json()["items"]] == [str(waiting.id)]
    await drain(follower)
    document = await firestore.document(mirror.case_path(officer.id, str(waiting.id))).get()
    assert document.exists and document.to_dict()["ro_id"] == officer.id

    await outcome.get_by_role("link", name="Nimal Perera").click()
    await expect(page.get_by_role("heading", name="Nimal Perera")).to_be_visible()
    await expect(page.locator('tr[data-entry="case"]').first).to_contain_text("case.assign")
    await expect(page.locator('tr[data-entry="case"]').first).to_contain_text(
        team.supervisor.display_name  # who did it, by name
    )
    await _accessible(page, "case-detail")


async def test_the_full_timeline_reads_well_in_the_browser(app, page: Page):
    team = await make_team()
    case = await worked_case(team)
    await sign_in_in_browser(page, await make_user(Role.OPERATOR_ADMIN))
    await page.goto(f"/console/cases/{case.id}")
    await expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    for kind in timeline.KINDS:
        await expect(page.locator(f'tr[data-entry="{kind}"]').first).to_be_visible()
    await expect(page.get_by_role("heading", name="Settlements")).to_be_visible()
    await _accessible(page, "case-detail-full")
