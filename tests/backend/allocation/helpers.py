"""Shaping pool cases and rules for allocation tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.allocation import rules
from backend.allocation.models import AllocationRule
from backend.allocation.schemas import RuleCreate
from backend.cases import service as cases
from backend.cases.models import Action, Case
from backend.core import db
from backend.users.models import Role
from tests.factories import make_case, make_user


async def shape(case: Case, **changes) -> Case:
    """Change fields of a case the way a real write would (versioned, audited)."""
    async with db.transaction() as session:
        return await cases.update(
            actor=None, case=case, action="test.shape", changes=changes, session=session
        )


async def pool_case(
    *,
    region: str | None = "Western",
    age_days: int = 120,
    arrears: int = 150_000,
    action: Action = Action.ARREARS_AND_CPE,
) -> Case:
    """A NEW case with the region, arrears age, outstanding amount and action given."""
    case = await make_case("new", action=action, arrears=arrears)
    overdue = datetime.now(UTC) - timedelta(days=age_days, hours=1)
    return await shape(case, region=region, overdue_since=overdue)


async def add_rule(name: str = "rule", **fields) -> AllocationRule:
    admin = await make_user(Role.OPERATOR_ADMIN)
    return await rules.create_rule(actor=admin, data=RuleCreate(name=name, **fields))


async def reload(case: Case) -> Case:
    found = await cases.get_unscoped(str(case.id))
    assert found is not None
    return found


async def held_by(drc_id: str, count: int) -> None:
    """Give a DRC `count` open cases, to use up capacity."""
    for _ in range(count):
        await make_case("allocated", drc_id=drc_id)
