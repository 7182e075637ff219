"""Kenyan cases, promises and STK pushes as the M-PESA tests need them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.cases.models import Case
from backend.negotiations import service as negotiations
from backend.negotiations.schemas import NegotiationCreate
from backend.users import repository as users
from backend.users.models import User
from tests.factories import make_case

PHONE = "+254712345678"


def kes(amount: int) -> dict:
    return {"amount": amount, "currency": "KES"}


async def kenyan_case(arrears: int = 500_000) -> tuple[Case, User]:
    """A case in negotiation owed in shillings, and the officer holding it."""
    case = await make_case("negotiation", arrears=arrears, currency="KES")
    officer = await users.get(case.ro_id or "")
    assert officer is not None
    return case, officer


async def promise(case: Case, officer: User, amount: int) -> None:
    """The customer promises `amount` cents, due in three days."""
    due = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    data = NegotiationCreate.model_validate(
        {
            "contacted_at": datetime.now(UTC).isoformat(),
            "channel": "call",
            "result": "reached",
            "outcome": "promise_to_pay",
            "promise": {"amount": kes(amount), "due_date": due},
        }
    )
    await negotiations.record_negotiation(actor=officer, case=case, data=data)


def push_args(case: Case, amount: int = 100_000, phone: str = PHONE) -> dict:
    return {"case_id": str(case.id), "phone": phone, "amount": kes(amount)}
