"""Where a receipt is booked: the hint, the account number, the paying phone, or the one
amount due near the day; none or several candidates leave it in suspense."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.money import Money
from backend.customers.models import Contact, ContactKind, Customer
from backend.negotiations.models import Promise, PromiseState
from backend.payments import service as payments
from backend.payments.schemas import PaymentCreate
from backend.receipts import service as receipts
from backend.receipts.models import MatchKind, ReceiptStatus
from backend.settlements import service as settlements
from backend.settlements.models import InstalmentStatus, Settlement
from backend.settlements.schemas import SettlementCreate
from tests.backend.payments.helpers import lkr, now_iso, plan, reload
from tests.backend.receipts.helpers import mobile_of, open_case, report, with_promise
from tests.factories import make_account


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


async def _officer_of(case):
    from backend.users import repository as users

    return await users.get(case.ro_id)


async def test_the_next_instalment_of_exactly_the_amount_matches_and_is_paid():
    case = await open_case(50_000)
    data = SettlementCreate.model_validate(plan(20_000, 30_000, first_due=3))
    await settlements.create_settlement(actor=await _officer_of(case), case=case, data=data)
    later = await receipts.receive(report(30_000))  # the second instalment is not next
    assert later.status is ReceiptStatus.SUSPENSE
    booked = await receipts.receive(report(20_000))
    assert booked.match is MatchKind.AMOUNT_WINDOW and booked.case_id == str(case.id)
    [settlement] = await Settlement.find({"case_id": str(case.id)}).to_list()
    assert settlement.instalments[0].status is InstalmentStatus.PAID


async def test_one_customer_s_accounts_are_narrowed_to_the_one_with_an_open_case():
    case = await open_case(50_000)
    await make_account(customer_id=case.customer_id)  # a second account, nothing owed on it
    booked = await receipts.receive(report(10_000, phone=await mobile_of(case)))
    assert booked.match is MatchKind.PHONE and booked.case_id == str(case.id)


async def test_a_phone_on_two_customers_with_open_cases_is_suspense():
    first, second = await open_case(50_000), await open_case(50_000)
    phone = await mobile_of(first)
    other = await Customer.get(second.customer_id)
    other.contacts = [Contact(id="m1", kind=ContactKind.MOBILE, value=phone, primary=True)]
    await other.save()
    held = await receipts.receive(report(10_000, phone=phone))
    assert held.status is ReceiptStatus.SUSPENSE
    assert held.suspense_reason == "the phone is a contact on 2 accounts"


async def test_a_receipt_in_another_currency_waits_in_suspense():
    case = await open_case(50_000)
    held = await receipts.receive(
        report(10_000, reference=case.account_id).model_copy(
            update={"amount": Money(amount=10_000, currency="KES")}
        )
    )
    assert held.status is ReceiptStatus.SUSPENSE and held.account_id is None
    assert held.suspense_reason == f"account {case.account_id} owes LKR, not KES"
    assert (await reload(case)).outstanding == Money(amount=50_000)


async def test_a_payment_staff_already_recorded_with_the_transaction_id_is_not_paid_twice():
    case = await open_case(50_000)
    officer = await _officer_of(case)
    data = PaymentCreate.model_validate(
        {
            "amount": lkr(10_000),
            "paid_at": now_iso(),
            "channel": "mobile_money",
            "reference": "RKTHAND01",
        }
    )
    recorded = await payments.record_payment(actor=officer, case=case, data=data)
    booked = await receipts.receive(
        report(10_000, transaction_id="RKTHAND01", reference=case.account_id)
    )
    assert booked.status is ReceiptStatus.BOOKED and booked.payment_id == recorded.id
    assert (await reload(case)).outstanding == Money(amount=40_000)
