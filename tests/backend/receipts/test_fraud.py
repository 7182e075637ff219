"""Fraud checks flag a receipt for review and never stop its booking."""

from __future__ import annotations

from datetime import timedelta

from backend.core.settings import ReceiptSettings
from backend.receipts import service as receipts
from backend.receipts.models import FlagKind, ReceiptStatus
from backend.users.models import Role
from tests.backend.receipts.helpers import mobile_of, open_case, report
from tests.factories import make_user

TIGHT = ReceiptSettings(
    velocity_limit=2, velocity_minutes=30, outlier_factor=5, outlier_min_history=3
)


async def test_more_receipts_from_one_phone_than_the_limit_are_flagged_and_still_booked():
    case = await open_case(500_000)
    phone = await mobile_of(case)
    sent = [report(1_000, phone=phone) for _ in range(3)]
    answers = [await receipts.receive(r, settings=TIGHT) for r in sent]
    assert [a.flagged for a in answers] == [False, False, True]
    assert [f.kind for f in answers[2].flags] == [FlagKind.VELOCITY]
    assert all(a.status is ReceiptStatus.BOOKED for a in answers)


async def test_receipts_spread_over_more_than_the_minutes_are_not_flagged():
    case = await open_case(500_000)
    phone = await mobile_of(case)
    first = report(1_000, phone=phone)
    await receipts.receive(
        first.model_copy(update={"paid_at": first.paid_at - timedelta(hours=2)}), settings=TIGHT
    )
    await receipts.receive(
        report(1_000, phone=phone, paid_at=first.paid_at - timedelta(hours=1)), settings=TIGHT
    )
    third = await receipts.receive(first, settings=TIGHT)
    assert not third.flagged


async def test_an_amount_far_above_the_account_s_history_is_flagged():
    case = await open_case(5_000_000)
    for _ in range(3):
        await receipts.receive(report(1_000, reference=case.account_id), settings=TIGHT)
    usual = await receipts.receive(report(5_000, reference=case.account_id), settings=TIGHT)
    assert not usual.flagged  # 5 x the largest (1,000) is still in line
    far = await receipts.receive(report(25_001, reference=case.account_id), settings=TIGHT)
    assert far.status is ReceiptStatus.BOOKED and [f.kind for f in far.flags] == [FlagKind.OUTLIER]


async def test_no_outlier_flag_without_enough_history():
    case = await open_case(5_000_000)
    await receipts.receive(report(1_000, reference=case.account_id), settings=TIGHT)
    big = await receipts.receive(report(900_000, reference=case.account_id), settings=TIGHT)
    assert not big.flagged


async def test_flagged_receipts_are_listed_for_review():
    staff = await make_user(Role.OPERATOR_OFFICER)
    case = await open_case(500_000)
    phone = await mobile_of(case)
    answers = [await receipts.receive(report(1_000, phone=phone), settings=TIGHT) for _ in range(4)]
    page = await receipts.list_receipts(actor=staff, flagged=True)
    assert [r.id for r in page.items] == [answers[3].id, answers[2].id]
