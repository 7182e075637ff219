"""Reports as providers send them, and the cases they pay."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from backend.cases.models import Case
from backend.core.money import Money
from backend.customers.models import ContactKind, Customer
from backend.negotiations import service as negotiations
from backend.receipts.models import Provider, Source
from backend.receipts.schemas import ProviderReport
from backend.users import repository as users
from tests.backend.payments.helpers import promised, reload
from tests.factories import make_case

_ids = itertools.count(1)


def report(amount: int = 10_000, **fields) -> ProviderReport:
    """An M-PESA confirmation of `amount` cents paid a minute ago, with a new receipt number."""
    values = {
        "provider": Provider.MPESA,
        "transaction_id": f"RKT{next(_ids):07d}",
        "source": Source.CALLBACK,
        "amount": Money(amount=amount),
        "paid_at": datetime.now(UTC) - timedelta(minutes=1),
        "raw": {"TransID": "as received"},
        **fields,
    }
    return ProviderReport.model_validate(values)


async def open_case(arrears: int = 50_000, **fields) -> Case:
    """A case an officer holds, with arrears outstanding."""
    return await make_case("negotiation", arrears=arrears, **fields)


async def with_promise(case: Case, amount: int, *, due: int = 3) -> Case:
    """The case's officer records the customer's promise of `amount`, due in `due` days."""
    assert case.ro_id is not None
    officer = await users.get(case.ro_id)
    assert officer is not None
    await negotiations.record_negotiation(actor=officer, case=case, data=promised(amount, due=due))
    return await reload(case)


async def mobile_of(case: Case) -> str:
    customer = await Customer.get(case.customer_id)
    assert customer is not None
    return next(c.value for c in customer.contacts if c.kind is ContactKind.MOBILE)
