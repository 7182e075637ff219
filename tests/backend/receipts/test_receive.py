"""A provider's transaction is booked once, however often and however concurrently it
is reported; every sighting is kept."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from backend.audit.models import AuditRecord
from backend.core.money import Money
from backend.payments.models import Payment, PaymentChannel
from backend.receipts import service as receipts
from backend.receipts.models import FlagKind, MatchKind, ProviderRecord, Receipt, ReceiptStatus
from tests.backend.payments.helpers import reload
from tests.backend.receipts.helpers import open_case, report


async def test_the_same_report_five_times_books_one_payment():
    case = await open_case(50_000)
    sent = report(10_000, reference=case.account_id)
    answers = [await receipts.receive(sent) for _ in range(5)]
    assert {a.id for a in answers} == {f"mpesa:{sent.transaction_id}"}
    assert answers[0].status is ReceiptStatus.BOOKED and answers[0].match is MatchKind.REFERENCE
    assert [a.sightings for a in answers] == [1, 2, 3, 4, 5]
    assert {a.payment_id for a in answers} == {answers[0].payment_id}
    [payment] = await Payment.find({"case_id": str(case.id)}).to_list()
    assert (
        payment.reference == sent.transaction_id and payment.channel is PaymentChannel.MOBILE_MONEY
    )
    assert payment.recorded_by == "provider:mpesa"
    assert (await reload(case)).outstanding == Money(amount=40_000)
    assert await ProviderRecord.find({"receipt_id": answers[0].id}).count() == 5


async def test_five_concurrent_deliveries_book_one_payment():
    case = await open_case(50_000)
    sent = report(10_000, reference=case.account_id)
    answers = await asyncio.gather(*(receipts.receive(sent) for _ in range(5)))
    assert len({a.id for a in answers}) == 1
    assert await Payment.find({"case_id": str(case.id)}).count() == 1
    stored = await Receipt.get(answers[0].id)
    assert stored is not None
    assert stored.sightings == 5 and stored.status is ReceiptStatus.BOOKED
    assert (await reload(case)).outstanding == Money(amount=40_000)
    assert await ProviderRecord.find({"receipt_id": stored.id}).count() == 5


async def test_a_repeat_with_another_amount_is_flagged_and_not_booked_again():
    case = await open_case(50_000)
    first = report(10_000, reference=case.account_id)
    await receipts.receive(first)
    again = await receipts.receive(first.model_copy(update={"amount": Money(amount=99_000)}))
    assert again.status is ReceiptStatus.BOOKED and again.sightings == 2
    assert again.flagged and [f.kind for f in again.flags] == [FlagKind.AMOUNT_MISMATCH]
    assert again.amount == Money(amount=10_000)
    assert await Payment.find({"case_id": str(case.id)}).count() == 1
    assert (await reload(case)).outstanding == Money(amount=40_000)


async def test_booking_is_audited_with_no_user_behind_it():
    case = await open_case(50_000)
    booked = await receipts.receive(report(10_000, reference=case.account_id))
    [record] = await AuditRecord.find({"entity_id": booked.id}).to_list()
    assert record.action == "receipt.book" and record.actor_uid is None
    [paid] = await AuditRecord.find({"entity_id": booked.payment_id}).to_list()
    assert paid.action == "payment.record" and paid.actor_uid is None


async def test_an_account_without_an_open_case_is_booked_to_the_account():
    case = await open_case(50_000)
    await receipts.receive(report(50_000, reference=case.account_id))  # pays it off
    later = await receipts.receive(report(5_000, reference=case.account_id))
    assert later.status is ReceiptStatus.BOOKED and later.account_id == case.account_id
    assert later.case_id is None and later.payment_id is None
    assert await Payment.find({"case_id": str(case.id)}).count() == 1


async def test_a_booking_interrupted_after_the_receipt_was_stored_is_finished_by_the_sweep():
    case = await open_case(50_000)
    sent = report(10_000, reference=case.account_id)
    stalled = Receipt(
        id=sent.receipt_id,
        received_at=datetime.now(UTC) - timedelta(minutes=5),
        **sent.model_dump(exclude={"statement_id", "raw"}),
    )
    await stalled.insert()  # as a crash right after the insert leaves it
    waiting = await receipts.receive(report(999, reference="NOBODY"))  # in suspense, decided
    fresh = Receipt(
        id="mpesa:FRESH001", **report(10_000).model_dump(exclude={"statement_id", "raw"})
    )
    await fresh.insert()  # its first delivery may still be matching it
    assert await receipts.resume_stalled() == 1
    done = await Receipt.get(sent.receipt_id)
    assert done is not None and done.status is ReceiptStatus.BOOKED and done.payment_id
    assert (await reload(case)).outstanding == Money(amount=40_000)
    again = await receipts.receive(sent)
    assert again.sightings == 2 and await Payment.find({"case_id": str(case.id)}).count() == 1
    assert (await Receipt.get(waiting.id)).suspense_reason == waiting.suspense_reason
    assert await receipts.resume_stalled() == 0


async def test_different_receipts_for_one_case_at_once_are_each_booked():
    case = await open_case(50_000)
    sent = [report(1_000 * (n + 1), reference=case.account_id) for n in range(5)]
    answers = await asyncio.gather(*(receipts.receive(r) for r in sent))
    assert all(a.status is ReceiptStatus.BOOKED for a in answers)
    assert await Payment.find({"case_id": str(case.id)}).count() == 5
    assert (await reload(case)).outstanding == Money(amount=50_000 - 15_000)


def test_a_report_of_nothing_paid_is_refused_before_anything_is_stored():
    with pytest.raises(ValidationError):
        report(0)
