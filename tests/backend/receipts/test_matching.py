"""Where a receipt is booked: the hint, the account number, the paying phone, or the one
amount due near the day; none or several candidates leave it in suspense."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.money import Money
from backend.negotiations.models import Promise, PromiseState
from backend.receipts import service as receipts
from backend.receipts.models import MatchKind, ReceiptStatus
from tests.backend.payments.helpers import reload
from tests.backend.receipts.helpers import mobile_of, open_case, report, with_promise


async def test_the_case_hint_wins_over_the_reference():
    hinted, other = await open_case(50_000), await open_case(50_000)
    booked = await receipts.receive(
        report(10_000, case_hint=str(hinted.id), reference=other.account_id)
    )
    assert booked.match is MatchKind.HINT and booked.case_id == str(hinted.id)
    assert (await reload(hinted)).outstanding == Money(amount=40_000)
    assert (await reload(other)).outstanding == Money(amount=50_000)


async def test_the_account_number_as_reference_finds_its_open_case():
    case = await open_case(50_000)
    booked = await receipts.receive(report(10_000, reference=f"  {case.account_id.lower()} "))
    assert booked.match is MatchKind.REFERENCE and booked.case_id == str(case.id)
    assert booked.account_id == case.account_id


async def test_the_paying_phone_finds_the_customer_s_case():
    case = await open_case(50_000)
    booked = await receipts.receive(
        report(10_000, reference="no such account", phone=await mobile_of(case))
    )
    assert booked.status is ReceiptStatus.BOOKED and booked.match is MatchKind.PHONE
    assert booked.case_id == str(case.id)


async def test_a_promise_of_exactly_the_amount_due_in_the_window_matches_and_is_kept():
    case = await with_promise(await open_case(50_000), 12_345, due=3)
    await with_promise(await open_case(50_000), 12_300, due=3)  # another amount
    booked = await receipts.receive(report(12_345))
    assert booked.match is MatchKind.AMOUNT_WINDOW and booked.case_id == str(case.id)
    [promise] = await Promise.find({"case_id": str(case.id)}).to_list()
    assert promise.state is PromiseState.KEPT


async def test_a_promise_due_outside_the_window_does_not_match():
    await with_promise(await open_case(50_000), 12_345, due=20)
    held = await receipts.receive(report(12_345))
    assert held.status is ReceiptStatus.SUSPENSE and held.match is None


async def test_two_cases_owing_the_amount_leave_it_in_suspense():
    first = await with_promise(await open_case(50_000), 7_700)
    second = await with_promise(await open_case(50_000), 7_700)
    held = await receipts.receive(report(7_700))
    assert held.status is ReceiptStatus.SUSPENSE
    assert held.suspense_reason == "2 accounts owe exactly this amount now"
    for case in (first, second):
        assert (await reload(case)).outstanding == Money(amount=50_000)


async def test_nothing_matched_is_suspense():
    await open_case(50_000)
    held = await receipts.receive(
        report(
            10_000,
            reference="UNKNOWN-1",
            phone="+254700000001",
            paid_at=datetime.now(UTC) - timedelta(days=1),
        )
    )
    assert held.status is ReceiptStatus.SUSPENSE
    assert held.suspense_reason == "no account, invoice, phone or amount due matched"
