"""Performance figures: cases by phase, recovery over time, officers' and DRCs' work, and
the aging of open cases.

Each figure is one aggregation on the database in the domain owning the records
(cases, negotiations, payments), within the caller's reach: operator staff every DRC
(or one they choose), a supervisor their DRC, an officer their own work.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from datetime import UTC, datetime

from backend.cases import queries
from backend.cases import service as cases
from backend.cases.queries import CaseFilters
from backend.core import clock
from backend.core.errors import Forbidden
from backend.core.figures import MONTH_FORMAT, By, Reach
from backend.core.money import Money
from backend.drcs import service as drcs
from backend.negotiations import service as negotiations
from backend.negotiations.models import PromiseState
from backend.payments import service as payments
from backend.performance.schemas import (
    AgeBand,
    Aging,
    MonthRecovery,
    Performance,
    PerformanceRow,
    PhaseCounts,
    Recovery,
)
from backend.users import service as users
from backend.users.models import Role, User

AGE_BANDS = (30, 60, 90, 180, 365)  # upper bounds, in days overdue
BASIS = 10_000  # basis points in a whole


async def reach_of(*, actor: User, drc_id: str | None = None) -> Reach:
    """Whose records the actor's figures count; a DRC outside reach is not found."""
    if drc_id is not None:
        await drcs.get_for(actor=actor, drc_id=drc_id)
    if actor.is_operator:
        return Reach(drc_id=drc_id)
    if actor.role is Role.DRC_SUPERVISOR:
        return Reach(drc_id=actor.drc_id)
    return Reach(officer_id=actor.id)


def month_starts(now: datetime, months: int) -> list[datetime]:
    """The first instants (UTC) of the last `months` calendar months, oldest first, and of
    the month after them."""
    index = now.year * 12 + now.month - 1
    firsts = range(index - months + 1, index + 2)
    return [datetime(i // 12, i % 12 + 1, 1, tzinfo=UTC) for i in firsts]


def rate_bp(part: int, whole: int) -> int:
    """`part` over `whole` in basis points, rounded half up (0 over nothing)."""
    return (part * BASIS + whole // 2) // whole if whole else 0


async def phases(*, actor: User, drc_id: str | None = None) -> PhaseCounts:
    """Cases per phase within reach: the figures of `GET /cases/counts`."""
    await reach_of(actor=actor, drc_id=drc_id)
    return await queries.phase_counts(actor=actor, filters=CaseFilters(drc_id=drc_id))


async def recovery(*, actor: User, months: int, drc_id: str | None = None) -> Recovery:
    """Collected and placed per month, with the recovery rate to each month's end."""
    reach = await reach_of(actor=actor, drc_id=drc_id)
    starts = month_starts(clock.now(), months)
    collected, placed = await asyncio.gather(
        payments.collected_by_month(reach=reach, until=starts[-1]),
        cases.placed_by_month(reach=reach, until=starts[-1]),
    )
    first = f"{starts[0]:{MONTH_FORMAT}}"
    paid = sum(n for month, n in collected.items() if month < first)
    owed = sum(n for month, n in placed.items() if month < first)
    rows = []
    for start in starts[:-1]:
        month = f"{start:{MONTH_FORMAT}}"
        paid, owed = paid + collected.get(month, 0), owed + placed.get(month, 0)
        rows.append(
            MonthRecovery(
                month=month,
                collected=Money(amount=collected.get(month, 0)),
                placed=Money(amount=placed.get(month, 0)),
                recovery_rate_bp=rate_bp(paid, owed),
            )
        )
    return Recovery(since=starts[0], months=rows)


async def _officers_in(reach: Reach, actor: User) -> list[User]:
    if reach.officer_id is not None:
        return [actor]
    if reach.drc_id is not None:
        return await users.officers_of(reach.drc_id)
    return await users.active_officers()


async def officers(*, actor: User, months: int, drc_id: str | None = None) -> Performance:
    """Each officer's cases held, contacts, promises kept and broken, and amount collected."""
    reach = await reach_of(actor=actor, drc_id=drc_id)
    names = {officer.id: officer.display_name for officer in await _officers_in(reach, actor)}
    return await _performance(By.OFFICER, reach, names, months)


async def compare_drcs(*, actor: User, months: int) -> Performance:
    """The same figures per DRC, for operator staff."""
    if not actor.is_operator:
        raise Forbidden("Only operator staff compare DRCs")
    names = {drc.id: drc.name for drc in await drcs.list_for(actor=actor)}
    return await _performance(By.DRC, Reach(), names, months)


async def _performance(by: By, reach: Reach, names: Mapping[str, str], months: int) -> Performance:
    since = month_starts(clock.now(), months)[0]
    held_by = "ro_id" if by is By.OFFICER else "drc_id"
    held, contacts, settled, collected = await asyncio.gather(
        cases.open_counts(field=held_by, ids=list(names)),
        negotiations.contacts_by(by=by, reach=reach, since=since),
        negotiations.promises_settled_by(by=by, reach=reach, since=since),
        payments.collected_by(by=by, reach=reach, since=since),
    )
    rows = [
        PerformanceRow(
            id=key,
            name=name,
            cases_held=held.get(key, 0),
            contacts=contacts.get(key, 0),
            promises_kept=settled.get(key, {}).get(PromiseState.KEPT, 0),
            promises_broken=settled.get(key, {}).get(PromiseState.BROKEN, 0),
            collected=Money(amount=collected.get(key, 0)),
        )
        for key, name in names.items()
    ]
    rows.sort(key=lambda row: (-row.collected.amount, row.name, row.id))
    return Performance(since=since, rows=rows)


async def aging(*, actor: User, drc_id: str | None = None) -> Aging:
    """Open cases and their outstanding by days overdue, in `AGE_BANDS`."""
    reach = await reach_of(actor=actor, drc_id=drc_id)
    found = await cases.open_by_age(reach=reach, bands=AGE_BANDS, now=clock.now())
    lows = (0, *(days + 1 for days in AGE_BANDS))
    highs = (*AGE_BANDS, None)
    bands = [
        AgeBand(min_days=low, max_days=high, cases=n, outstanding=Money(amount=owed))
        for low, high, (n, owed) in zip(lows, highs, found, strict=True)
    ]
    return Aging(bands=bands, total=sum(band.cases for band in bands))
