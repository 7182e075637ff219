"""Helpers shared by the negotiation, settlement, payment and commission tests."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta

from backend.cases import service as cases
from backend.cases.models import Case
from backend.core import db
from backend.negotiations.schemas import NegotiationCreate
from tests.factories import bearer

_refs = itertools.count(1)

BANDS = [(0, 90), (91, 180), (181, 365), (366, None)]
# Every (type, band) pair has its own rate, so a test can tell which rule matched.
BASE_RATE = {
    "full_settlement": 1000,
    "instalment": 800,
    "promise_payment": 600,
    "mediation_settlement": 400,
    "direct_payment": 200,
}


def rate_of(recovery_type: str, band: int) -> int:
    return BASE_RATE[recovery_type] + 50 * band


def rules(**overrides: int) -> list[dict]:
    return [
        {
            "recovery_type": kind,
            "min_age_days": low,
            "max_age_days": high,
            "rate_bp": overrides.get(kind, rate_of(kind, band)),
        }
        for kind in BASE_RATE
        for band, (low, high) in enumerate(BANDS)
    ]


def today() -> date:
    return datetime.now(UTC).date()


def day(offset: int) -> str:
    return (today() + timedelta(days=offset)).isoformat()


def now_iso(offset: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + offset).isoformat()


def lkr(amount: int) -> dict:
    return {"amount": amount, "currency": "LKR"}


def promised(amount: int, *, due: int = 3) -> NegotiationCreate:
    """A contact in which the customer promised `amount`, due in `due` days."""
    return NegotiationCreate.model_validate(
        {
            "contacted_at": now_iso(),
            "channel": "call",
            "result": "reached",
            "outcome": "promise_to_pay",
            "promise": {"amount": lkr(amount), "due_date": day(due)},
        }
    )


async def publish_rates(client, key, admin, *, effective_from: str | None = None, **extra) -> dict:
    body = {"effective_from": effective_from or day(-30), "rules": rules(), **extra}
    response = await client.post("/commission/rates", json=body, headers=bearer(key, admin))
    assert response.status_code == 201, response.text
    return response.json()


async def pay(client, key, actor, case, amount: int | dict, **fields):
    body = {
        "amount": lkr(amount) if isinstance(amount, int) else amount,
        "paid_at": now_iso(),
        "channel": "bank",
        "reference": f"REF-{next(_refs):06d}",
        **fields,
    }
    return await client.post(f"/cases/{case.id}/payments", json=body, headers=bearer(key, actor))


async def settle(client, key, actor, case, body: dict):
    return await client.post(f"/cases/{case.id}/settlements", json=body, headers=bearer(key, actor))


def plan(*amounts: int, first_due: int = 10, every: int = 30, **extra) -> dict:
    return {
        "kind": "instalments",
        "total": lkr(sum(amounts)),
        "instalments": [
            {"amount": lkr(a), "due_date": day(first_due + n * every)}
            for n, a in enumerate(amounts)
        ],
        **extra,
    }


def lump_sum(amount: int, *, due: int = 7, **extra) -> dict:
    return {"kind": "lump_sum", "total": lkr(amount), "due_date": day(due), **extra}


async def set_age(case: Case, days: int) -> Case:
    """Make the case's arrears `days` days overdue."""
    async with db.transaction() as session:
        fresh = await cases.get_unscoped(str(case.id), session=session)
        return await cases.update(
            actor=None,
            case=fresh,
            action="test.age",
            changes={"overdue_since": datetime.now(UTC) - timedelta(days=days, hours=1)},
            session=session,
        )


async def reload(case: Case) -> Case:
    return await cases.get_unscoped(str(case.id))
