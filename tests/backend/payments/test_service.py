"""A payment takes the case its caller loaded; the version guard catches it gone stale."""

from __future__ import annotations

import pytest

from backend.cases import service as cases
from backend.cases.errors import CaseChanged
from backend.core.money import Money
from backend.negotiations import service as negotiations
from backend.negotiations.models import Promise
from backend.payments import service as payments
from backend.payments.models import Payment
from backend.payments.schemas import PaymentCreate
from backend.users.models import Role
from tests.backend.payments.helpers import lkr, now_iso, promised
from tests.factories import make_case, make_user


async def test_a_payment_on_a_case_changed_since_it_was_loaded_is_a_retryable_conflict():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=50_000)
    stale = await cases.get_unscoped(str(case.id))
    assert stale is not None
    await negotiations.record_negotiation(actor=officer, case=case, data=promised(10_000))
    data = PaymentCreate.model_validate(
        {"amount": lkr(10_000), "paid_at": now_iso(), "channel": "cash", "reference": "R-STALE"}
    )
    with pytest.raises(CaseChanged):
        await payments.record_payment(actor=officer, case=stale, data=data)
    assert await Payment.find({"case_id": str(case.id)}).count() == 0
    [kept] = await Promise.find({"case_id": str(case.id)}).to_list()
    assert kept.paid.amount == 0  # the payment's share of the promise went with it
    shown = await payments.record_payment(actor=officer, case=case, data=data)
    assert shown.reference == "R-STALE" and shown.applied == Money(amount=10_000)
