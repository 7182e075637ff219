"""Commission data for the console's tests: published rates and booked entries."""

from __future__ import annotations

from backend.cases.models import Case
from backend.commission import service as commission
from backend.commission.models import RecoveryType
from backend.commission.schemas import RateTableCreate
from backend.core import clock, db
from backend.core.money import Money
from backend.users.models import Role
from tests.backend.payments.helpers import day, rules
from tests.factories import make_case, make_user


async def publish_rates() -> None:
    admin = await make_user(Role.OPERATOR_ADMIN)
    data = RateTableCreate.model_validate({"effective_from": day(-1), "rules": rules()})
    await commission.create_rate_table(actor=admin, data=data)


async def book_earning(drc_id: str, customer_name: str, *, paid: int = 100_000) -> Case:
    """A case of `drc_id` whose customer paid `paid` minor units today, with its commission."""
    case = await make_case("negotiation", drc_id=drc_id, customer_name=customer_name)
    async with db.transaction() as session:
        await commission.earn(
            actor=None,
            case=case,
            payment_id=f"PAY-{case.id}",
            basis=Money(amount=paid),
            paid_at=clock.now(),
            recovery_type=RecoveryType.DIRECT_PAYMENT,
            session=session,
        )
    return case
