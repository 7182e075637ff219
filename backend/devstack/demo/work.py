"""What the demo's field work acts with: the people, a seeded generator, references."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from backend.cases import service as cases
from backend.cases.models import Case
from backend.core import clock
from backend.core.money import Money
from backend.devstack.demo.people import slug
from backend.users.models import User

# Device times are a moment in the past: the services take no contact dated before the
# case was opened (allowing for clock drift), and the cases are opened by this load.
DEVICE_LAG = timedelta(milliseconds=250)
HUNDRED_RUPEES = 10_000  # minor units; agreed amounts are rounded to it


@dataclass
class Work:
    people: dict[str, User]
    rng: random.Random
    today: date
    _refs: itertools.count = field(default_factory=lambda: itertools.count(1))

    @property
    def admin(self) -> User:
        return self.people["op-admin"]

    @property
    def operator(self) -> User:
        return self.people["op-officer"]

    def officer(self, case: Case) -> User:
        assert case.ro_id is not None
        return self.people[case.ro_id]

    def supervisor(self, case: Case) -> User:
        assert case.drc_id is not None
        return self.people[f"sup-{slug(case.drc_id)}"]

    def reference(self, prefix: str) -> str:
        return f"{prefix}-{self.today:%y%m}-{next(self._refs):05d}"

    def day(self, offset: int) -> date:
        """A due day. The demo uses offsets of 1 and more: the services refuse past days,
        and a load that runs over midnight (UTC) would see today become yesterday."""
        return self.today + timedelta(days=offset)

    def morning(self, offset: int) -> datetime:
        """09:30 Colombo time (04:00 UTC), `offset` days from today."""
        return datetime.combine(self.day(offset), time(4, 0), tzinfo=UTC)


def device_time() -> datetime:
    """When the officer's phone says it happened: just now."""
    return clock.now() - DEVICE_LAG


def share(amount: Money, fraction: float) -> Money:
    """`fraction` of an amount, rounded down to LKR 100 (at least LKR 100, at most all)."""
    rounded = int(amount.amount * fraction) // HUNDRED_RUPEES * HUNDRED_RUPEES
    return Money(amount=min(max(rounded, HUNDRED_RUPEES), amount.amount), currency=amount.currency)


def instalments(total: Money, count: int) -> list[Money]:
    """Equal monthly parts in whole rupees; the first takes the remainder (and the cents)."""
    part = total.amount // count // 100 * 100
    first = total.amount - part * (count - 1)
    return [Money(amount=a, currency=total.currency) for a in [first] + [part] * (count - 1)]


async def fresh(case: Case | str) -> Case:
    """The case as stored now (services that take a case guard on its version)."""
    found = await cases.get_unscoped(case if isinstance(case, str) else str(case.id))
    assert found is not None
    return found
