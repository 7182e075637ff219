"""Two DRCs' work built through the services, and its figures counted again by hand.

Shared by the performance service tests and the console's dashboard tests: the records
made are kept as they were made, so the expected figures never ask the code under test.
"""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from backend.cases.models import Case
from backend.cases.phases import OPEN_PHASES
from backend.negotiations import service as negotiations
from backend.negotiations.schemas import NegotiationCreate
from backend.payments import service as payments
from backend.payments.schemas import PaymentCreate
from backend.performance.service import AGE_BANDS, month_starts
from backend.users.models import Role, User
from tests.backend.payments.helpers import lkr, now_iso, promised, reload, set_age, today
from tests.factories import make_case, make_drc, make_user

_refs = itertools.count(1)


@dataclass
class Done:
    """One piece of work as it was recorded: whose, and how much."""

    officer_id: str
    drc_id: str
    amount: int = 0
    at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass
class World:
    drc_a: str
    drc_b: str
    admin: User
    supervisor: User  # of DRC A
    officers: list[User]  # two of A, one of B
    cases: list[Case] = field(default_factory=list)
    contacts: list[Done] = field(default_factory=list)
    kept: list[Done] = field(default_factory=list)
    broken: list[Done] = field(default_factory=list)
    paid: list[Done] = field(default_factory=list)  # standing payments only


def _contact(outcome: str = "refused") -> NegotiationCreate:
    return NegotiationCreate.model_validate(
        {"contacted_at": now_iso(), "channel": "visit", "result": "reached", "outcome": outcome}
    )


async def pay(world: World, officer: User, case: Case, amount: int, *, days_ago: int = 0):
    paid_at = datetime.now(UTC) - timedelta(days=days_ago)
    data = PaymentCreate.model_validate(
        {
            "amount": lkr(amount),
            "paid_at": paid_at.isoformat(),
            "channel": "bank",
            "reference": f"PERF-{next(_refs):05d}",
        }
    )
    payment = await payments.record_payment(actor=officer, case=await reload(case), data=data)
    world.paid.append(Done(officer.id, officer.drc_id or "", amount, paid_at))
    return payment


async def build_world() -> World:
    """Six cases in two DRCs, with contacts, a kept and a broken promise, payments in two
    months and one reversed payment."""
    drc_a, drc_b = (await make_drc()).id, (await make_drc()).id
    o1, o2 = [await make_user(Role.RECOVERY_OFFICER, drc_id=drc_a) for _ in range(2)]
    o3 = await make_user(Role.RECOVERY_OFFICER, drc_id=drc_b)
    world = World(
        drc_a=drc_a,
        drc_b=drc_b,
        admin=await make_user(Role.OPERATOR_ADMIN),
        supervisor=await make_user(Role.DRC_SUPERVISOR, drc_id=drc_a),
        officers=[o1, o2, o3],
    )
    plan = [  # (phase, officer or DRC, arrears, days overdue)
        ("negotiation", o1, 100_000, 10),
        ("negotiation", o1, 60_000, 45),
        ("assigned", o2, 80_000, 200),
        ("negotiation", o3, 50_000, 400),
        ("allocated", drc_a, 40_000, 95),
        ("new", None, 30_000, 120),
    ]
    for phase, holder, arrears, age in plan:
        held = {"ro": holder} if isinstance(holder, User) else {"drc_id": holder}
        case = await make_case(phase, arrears=arrears, cpe=False, **held)
        world.cases.append(await set_age(case, age))
    c1, c2, c3, c4 = world.cases[:4]
    await _work(world, o1, c1, promised(30_000))
    await pay(world, o1, c1, 30_000)
    world.kept.append(Done(o1.id, drc_a))
    await _work(world, o1, c2, promised(20_000, due=2))
    reversed_payment = await pay(world, o1, c2, 5_000)
    await payments.reverse_payment(
        actor=world.admin, payment_id=reversed_payment.id, reason="bounced"
    )
    world.paid.pop()
    await negotiations.break_overdue_promises(today=today() + timedelta(days=5))
    world.broken.append(Done(o1.id, drc_a))
    await _work(world, o2, c3, _contact())
    await _work(world, o3, c4, _contact())
    await pay(world, o3, c4, 10_000, days_ago=40)  # an earlier month
    world.cases = [await reload(case) for case in world.cases]
    return world


async def _work(world: World, officer: User, case: Case, data: NegotiationCreate) -> None:
    await negotiations.record_negotiation(actor=officer, case=await reload(case), data=data)
    world.contacts.append(Done(officer.id, officer.drc_id or ""))


# The figures, counted again from what was recorded.


def cases_of(world: World, drc_id: str | None) -> list[Case]:
    return [c for c in world.cases if drc_id is None or c.drc_id == drc_id]


def expected_phases(world: World, drc_id: str | None) -> dict[str, int]:
    return dict(Counter(c.phase.value for c in cases_of(world, drc_id)))


def expected_aging(world: World, drc_id: str | None) -> list[tuple[int, int]]:
    """(cases, outstanding) per band of days overdue."""
    bands = [(0, 0)] * (len(AGE_BANDS) + 1)
    now = datetime.now(UTC)
    for case in cases_of(world, drc_id):
        if case.phase not in OPEN_PHASES:
            continue
        age = case.age_days(now)
        band = next((i for i, top in enumerate(AGE_BANDS) if age <= top), len(AGE_BANDS))
        n, owed = bands[band]
        bands[band] = (n + 1, owed + case.outstanding.amount)
    return bands


def expected_rows(world: World, key: str, ids: list[str]) -> dict[str, tuple]:
    """(cases held, contacts, kept, broken, collected) per officer (`key="officer_id"`)
    or DRC (`key="drc_id"`)."""
    holder = "ro_id" if key == "officer_id" else "drc_id"

    def count(done: list[Done], of: str) -> int:
        return sum(1 for d in done if getattr(d, key) == of)

    return {
        of: (
            sum(1 for c in world.cases if getattr(c, holder) == of and c.phase in OPEN_PHASES),
            count(world.contacts, of),
            count(world.kept, of),
            count(world.broken, of),
            sum(d.amount for d in world.paid if getattr(d, key) == of),
        )
        for of in ids
    }


def expected_recovery(world: World, drc_id: str | None, months: int) -> list[tuple]:
    """(month, collected, placed, rate in basis points) for the last `months` months."""
    starts = month_starts(datetime.now(UTC), months)
    rows = []
    for start, end in itertools.pairwise(starts):
        paid = [d for d in world.paid if drc_id in (None, d.drc_id)]
        placed = cases_of(world, drc_id)
        in_month = sum(d.amount for d in paid if start <= d.at < end)
        opened = sum(c.arrears.amount for c in placed if start <= c.created_at < end)
        to_date = sum(d.amount for d in paid if d.at < end)
        owed = sum(c.arrears.amount for c in placed if c.created_at < end)
        rate = (to_date * 10_000 + owed // 2) // owed if owed else 0
        rows.append((f"{start:%Y-%m}", in_month, opened, rate))
    return rows
