"""The monthly account balance verification: DebtX's balance (open invoices less what
DebtX credited, left on the account or booked on the case) against BSS's latest figures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.billing import service as billing
from backend.core import clock
from backend.core.money import Money
from backend.receipts import service as receipts
from backend.receipts.models import Provider, Source
from backend.receipts.schemas import ProviderReport
from backend.reconciliation import service, tasks
from backend.reconciliation.models import BalanceVerification, DailyReport
from backend.users.models import Role
from tests.backend.billing.helpers import days_ago, put_invoice
from tests.factories import bearer, make_case, make_user


def lkr(major: int) -> Money:
    return Money(amount=major * 100)


async def _case_payment(account_id: str, amount: int) -> None:
    report = ProviderReport(
        provider=Provider.BANK,
        transaction_id="FT-CASE-0001",
        source=Source.CALLBACK,
        amount=Money(amount=amount),
        paid_at=datetime.now(UTC),
        account_hint=account_id,
    )
    assert (await receipts.receive(report)).payment_id is not None


async def test_accounts_whose_balance_differs_from_bss_are_listed(client, signing_key):
    await put_invoice("A1", account_id="ACC-A", amount="1000.00", due=days_ago(10))
    await put_invoice("B1", account_id="ACC-B", amount="500.00", due=days_ago(10))
    await billing.credit_invoices(account_id="ACC-B", amount=lkr(200), receipt_id="bank:FT1")
    await put_invoice("C1", account_id="ACC-C", amount="300.00", due=days_ago(40), status="paid")
    await put_invoice("E1", account_id="ACC-E", amount="100.00", due=days_ago(5))
    await billing.credit_invoices(account_id="ACC-E", amount=lkr(130), receipt_id="bank:FT2")
    case = await make_case("negotiation", arrears=90_000)
    await put_invoice("D1", account_id=case.account_id, amount="900.00", due=days_ago(20))
    await _case_payment(case.account_id, 25_000)

    operator = await make_user(Role.OPERATOR_ADMIN)
    headers = bearer(signing_key, operator)
    ran = await client.post("/reconciliation/balances/2026-11/run", headers=headers)
    assert ran.status_code == 200, ran.text
    found = ran.json()
    assert found["accounts_checked"] == 5 and found["truncated"] is False
    by_account = {d["account_id"]: d for d in found["differing"]}
    assert set(by_account) == {"ACC-B", "ACC-E", case.account_id}
    assert by_account["ACC-B"] == {
        "account_id": "ACC-B",
        "currency": "LKR",
        "bss_balance": 50_000,
        "debtx_balance": 30_000,
        "credited": 20_000,
        "account_credit": 0,
        "case_payments": 0,
        "difference": 20_000,
    }
    paid_beyond = by_account["ACC-E"]
    assert (paid_beyond["debtx_balance"], paid_beyond["account_credit"]) == (-3_000, 3_000)
    on_case = by_account[case.account_id]
    assert (on_case["case_payments"], on_case["debtx_balance"]) == (25_000, 65_000)

    shown = await client.get("/reconciliation/balances/2026-11", headers=headers)
    assert shown.status_code == 200 and shown.json()["differing"] == found["differing"]
    unknown = await client.get("/reconciliation/balances/2026-10", headers=headers)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "reconciliation.verification_not_found"


async def test_once_bss_catches_up_the_account_agrees():
    await put_invoice("B1", account_id="ACC-B", amount="500.00", due=days_ago(10))
    await billing.credit_invoices(account_id="ACC-B", amount=lkr(500), receipt_id="bank:FT1")
    assert len((await service.verify_balances(month="2026-11")).differing) == 1
    later = datetime(2026, 1, 2, tzinfo=UTC)
    await put_invoice(
        "B1", account_id="ACC-B", amount="500.00", due=days_ago(10), status="paid", updated=later
    )
    verified = await service.verify_balances(month="2026-11")
    assert verified.accounts_checked == 1 and verified.differing == []


def test_the_schedule_verifies_the_month_before():
    assert service.previous_month(datetime(2027, 1, 2).date()) == "2026-12"


async def test_the_scheduled_tasks_reconcile_yesterday_and_verify_last_month(app):

    await put_invoice("A1", account_id="ACC-A", amount="1000.00", due=days_ago(10))
    assert await tasks.run_balances() == {"checked": 1, "differing": 0}
    assert await BalanceVerification.get(service.previous_month(clock.now().date()))
    assert (await tasks.run_daily())["transactions"] == 0
    assert await DailyReport.get((clock.now().date() - timedelta(days=1)).isoformat())
