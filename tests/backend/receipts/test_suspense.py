"""Staff match a suspense receipt by hand, booked exactly as an automatic match, or
refund it; a booked or refunded one is left as it is."""

from __future__ import annotations

import pytest

from backend.audit.models import AuditRecord
from backend.core.money import Money
from backend.negotiations.models import Promise, PromiseState
from backend.receipts import service as receipts
from backend.receipts.errors import MatchRefused, ReceiptBooked, ReceiptRefunded
from backend.receipts.models import MatchKind, ReceiptStatus
from backend.receipts.schemas import ReceiptMatch, ReceiptRefund
from backend.users.models import Role
from tests.backend.payments.helpers import reload
from tests.backend.receipts.helpers import open_case, report, with_promise
from tests.factories import make_case, make_user


async def _held(amount: int = 10_000):
    held = await receipts.receive(report(amount, reference="WRONG-REF"))
    assert held.status is ReceiptStatus.SUSPENSE
    return held


async def test_matched_by_hand_to_an_account_pays_its_case_and_keeps_the_promise():
    staff = await make_user(Role.OPERATOR_OFFICER)
    case = await with_promise(await open_case(50_000), 10_000, due=40)
    held = await _held(10_000)
    booked = await receipts.match_by_hand(
        actor=staff, receipt_id=held.id, data=ReceiptMatch(account_id=case.account_id)
    )
    assert booked.status is ReceiptStatus.BOOKED and booked.match is MatchKind.MANUAL
    assert booked.case_id == str(case.id) and booked.payment_id
    assert (await reload(case)).outstanding == Money(amount=40_000)
    [promise] = await Promise.find({"case_id": str(case.id)}).to_list()
    assert promise.state is PromiseState.KEPT
    [record] = await AuditRecord.find({"entity_id": held.id}).to_list()
    assert record.action == "receipt.match" and record.actor_uid == staff.id
    [paid] = await AuditRecord.find({"entity_id": booked.payment_id}).to_list()
    assert paid.action == "payment.record" and paid.actor_uid == staff.id


async def test_matched_by_hand_to_a_case():
    staff = await make_user(Role.OPERATOR_ADMIN)
    case = await open_case(50_000)
    held = await _held()
    booked = await receipts.match_by_hand(
        actor=staff,
        receipt_id=held.id,
        data=ReceiptMatch(case_id=str(case.id), account_id=case.account_id),
    )
    assert booked.case_id == str(case.id)


@pytest.mark.parametrize(
    ("choice", "field"),
    [
        ({"account_id": "NO-SUCH-ACCOUNT"}, "account_id"),
        ({"case_id": "0" * 24}, "case_id"),
    ],
)
async def test_an_unknown_account_or_case_is_refused_and_changes_nothing(choice, field):
    staff = await make_user(Role.OPERATOR_OFFICER)
    held = await _held()
    with pytest.raises(MatchRefused) as refused:
        await receipts.match_by_hand(actor=staff, receipt_id=held.id, data=ReceiptMatch(**choice))
    assert refused.value.extra["errors"][0]["field"] == field
    assert (
        await receipts.get_receipt(actor=staff, receipt_id=held.id)
    ).status is ReceiptStatus.SUSPENSE


async def test_a_closed_case_or_another_account_s_case_is_refused():
    staff = await make_user(Role.OPERATOR_OFFICER)
    closed, case = await make_case("closed"), await open_case()
    held = await _held()
    with pytest.raises(MatchRefused):
        await receipts.match_by_hand(
            actor=staff, receipt_id=held.id, data=ReceiptMatch(case_id=str(closed.id))
        )
    with pytest.raises(MatchRefused):
        await receipts.match_by_hand(
            actor=staff,
            receipt_id=held.id,
            data=ReceiptMatch(case_id=str(case.id), account_id=closed.account_id),
        )
    assert (await reload(case)).outstanding == Money(amount=50_000)


async def test_a_refunded_receipt_cannot_be_matched():
    staff = await make_user(Role.OPERATOR_OFFICER)
    case = await open_case()
    held = await _held()
    refunded = await receipts.refund(
        actor=staff, receipt_id=held.id, data=ReceiptRefund(reason="paid to the wrong till")
    )
    assert refunded.status is ReceiptStatus.REFUNDED and refunded.refund is not None
    assert refunded.refund.by == staff.id
    with pytest.raises(ReceiptRefunded):
        await receipts.match_by_hand(
            actor=staff, receipt_id=held.id, data=ReceiptMatch(account_id=case.account_id)
        )
    with pytest.raises(ReceiptRefunded):
        await receipts.refund(actor=staff, receipt_id=held.id, data=ReceiptRefund(reason="again"))
    [record] = await AuditRecord.find({"entity_id": held.id}).to_list()
    assert record.action == "receipt.refund" and record.after["reason"] == "paid to the wrong till"


async def test_a_booked_receipt_is_neither_refunded_nor_matched_again():
    staff = await make_user(Role.OPERATOR_OFFICER)
    case, other = await open_case(), await open_case()
    booked = await receipts.receive(report(10_000, reference=case.account_id))
    with pytest.raises(ReceiptBooked):
        await receipts.refund(
            actor=staff, receipt_id=booked.id, data=ReceiptRefund(reason="not ours")
        )
    with pytest.raises(ReceiptBooked):
        await receipts.match_by_hand(
            actor=staff, receipt_id=booked.id, data=ReceiptMatch(account_id=other.account_id)
        )
    assert (await reload(other)).outstanding == Money(amount=50_000)
