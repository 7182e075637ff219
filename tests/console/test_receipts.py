"""The payments received page: operator staff see receipts in suspense and flagged ones,
match one by hand (the problem shown beside the account number) or refund it; a DRC
supervisor finds no such page. The browser flow is checked with axe-core."""

from __future__ import annotations

from urllib.parse import quote

from playwright.async_api import Page, expect

from backend.core.money import Money
from backend.core.settings import ReceiptSettings
from backend.receipts import service as receipts
from backend.receipts.models import ReceiptStatus
from backend.users.models import Role
from tests.backend.payments.helpers import reload
from tests.backend.receipts.helpers import mobile_of, open_case, report
from tests.console.conftest import sign_in_in_browser
from tests.console.test_admin_flow import _accessible, _open
from tests.console.test_admin_pages import _as, _post, problem_beside
from tests.factories import make_user


async def _held(amount: int = 12_500):
    return await receipts.receive(report(amount, reference="SOMEONE-ELSE", payer="J DOE"))


async def test_operator_staff_match_a_suspense_receipt_by_hand(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_OFFICER)
    held, case = await _held(), await open_case(50_000)
    listed = await client.get("/console/receipts")
    assert listed.status_code == 200 and f'data-receipt-id="{held.id}"' in listed.text
    polled = await client.get(
        "/console/receipts", headers={"hx-request": "true", "hx-target": "queue-results"}
    )
    assert polled.text.lstrip().startswith('<section id="queue-results"')
    path = f"/console/receipts/{held.id}"
    shown = await client.get(path)
    assert shown.text.count("data-sighting=") == 1 and "Provider&#39;s callback" in shown.text
    refused = await _post(client, f"{path}/match", account_id="NO-SUCH-ACCOUNT")
    assert refused.status_code == 422
    assert problem_beside(refused.text, "account_id") == "No account NO-SUCH-ACCOUNT"
    bad = await _post(client, f"{path}/match", account_id="not an account!")
    assert bad.status_code == 422 and problem_beside(bad.text, "account_id")
    matched = await _post(client, f"{path}/match", account_id=case.account_id)
    assert matched.status_code == 303 and matched.headers["location"].endswith("done=match")
    assert (await reload(case)).outstanding == Money(amount=37_500)
    assert f'data-receipt-id="{held.id}"' not in (await client.get("/console/receipts")).text
    page = await client.get(path)
    assert "This receipt is booked" in page.text and 'action="' + path not in page.text


async def test_a_refund_needs_a_reason(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_ADMIN)
    held = await _held()
    path = f"/console/receipts/{held.id}/refund"
    refused = await _post(client, path, reason="")
    assert refused.status_code == 422 and problem_beside(refused.text, "reason")
    done = await _post(client, path, reason="Paid to the wrong till")
    assert done.status_code == 303
    again = await _post(client, f"/console/receipts/{held.id}/match", account_id="ACC-1")
    assert again.status_code == 409 and 'role="alert"' in again.text


async def test_flagged_receipts_are_listed(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_OFFICER)
    case = await open_case(500_000)
    phone = await mobile_of(case)
    tight = ReceiptSettings(velocity_limit=1)
    sent = [await receipts.receive(report(1_000, phone=phone), settings=tight) for _ in range(2)]
    listed = await client.get("/console/receipts?view=flagged")
    assert f'data-receipt-id="{sent[1].id}"' in listed.text
    assert f'data-receipt-id="{sent[0].id}"' not in listed.text
    assert "Many payments from one phone" in listed.text


async def test_a_supervisor_finds_no_receipts_page(app, client, signing_key):
    held = await _held()
    case = await open_case()
    await _as(client, signing_key, Role.DRC_SUPERVISOR)
    assert (await client.get("/console/receipts")).status_code == 404
    assert (await client.get(f"/console/receipts/{quote(held.id)}")).status_code == 404
    refused = await _post(client, f"/console/receipts/{held.id}/match", account_id=case.account_id)
    assert refused.status_code == 404
    assert (
        await receipts.get_receipt(actor=await make_user(Role.OPERATOR_ADMIN), receipt_id=held.id)
    ).status is ReceiptStatus.SUSPENSE


async def test_an_operator_matches_a_receipt_in_the_browser(app, page: Page):
    officer = await make_user(Role.OPERATOR_OFFICER)
    held, case = await _held(), await open_case(50_000)
    await sign_in_in_browser(page, officer)
    await _open(page, "Payments received", "Payments received")
    await _accessible(page, "receipts")
    row = page.locator(f'tr[data-receipt-id="{held.id}"]')
    await row.get_by_role("link", name="Review").click()
    await expect(page.get_by_role("heading", name="Payment received", level=1)).to_be_visible()
    await page.get_by_label("Account number").fill("NO-SUCH-ACCOUNT")
    await page.get_by_role("button", name="Book it here").click()
    await expect(page.locator("#f-account_id-problem")).to_have_text("No account NO-SUCH-ACCOUNT")
    await _accessible(page, "receipt")
    await page.get_by_label("Account number").fill(case.account_id)
    await page.get_by_role("button", name="Book it here").click()
    await expect(page.get_by_role("status")).to_have_text("Booked.")
    await expect(row).to_have_count(0)
    assert (await reload(case)).outstanding == Money(amount=37_500)

    phone, tight = await mobile_of(case), ReceiptSettings(velocity_limit=1)
    flagged = [await receipts.receive(report(100, phone=phone), settings=tight) for _ in range(2)]
    await page.get_by_role("link", name="Flagged for review").click()
    await expect(page.locator(f'tr[data-receipt-id="{flagged[1].id}"]')).to_contain_text(
        "Many payments from one phone"
    )
    await _accessible(page, "receipts-flagged")
