"""The operator's terms with its DRCs: allocation rules and commission rate tables."""

from __future__ import annotations

from datetime import date, timedelta

from backend.allocation import rules
from backend.allocation.models import ChoiceStrategy, RuleConditions
from backend.allocation.schemas import RuleCreate
from backend.cases.models import Action
from backend.commission import service as commission
from backend.commission.models import PAYMENT_TYPES, RecoveryType
from backend.commission.schemas import RateRuleIn, RateTableCreate
from backend.core.money import Money
from backend.users.models import User

# Each province goes to the DRC that lists it; a case in a province no DRC lists
# (Uva, Sabaragamuwa) matches a rule but finds no candidate and waits in the pool.
RULES = (
    RuleCreate(
        name="Equipment only, any province",
        priority=10,
        conditions=RuleConditions(actions=[Action.CPE]),
        validity_days=45,
        strategy=ChoiceStrategy.CAPACITY,
    ),
    RuleCreate(
        name="High arrears (LKR 250,000 and above)",
        priority=20,
        conditions=RuleConditions(arrears_min=Money(amount=25_000_000)),
        validity_days=90,
        strategy=ChoiceStrategy.PERFORMANCE,
    ),
    RuleCreate(
        name="Western and Southern",
        priority=30,
        conditions=RuleConditions(regions=["Western", "Southern"]),
        drc_ids=["DRC-LANKA"],
        validity_days=60,
    ),
    RuleCreate(
        name="Central and North Western",
        priority=40,
        conditions=RuleConditions(regions=["Central", "North Western"]),
        drc_ids=["DRC-CEYLON"],
        validity_days=60,
    ),
    RuleCreate(
        name="Northern and Eastern",
        priority=50,
        conditions=RuleConditions(regions=["Northern", "Eastern"], min_age_days=30),
        drc_ids=["DRC-ISLAND"],
        validity_days=75,
    ),
    RuleCreate(
        name="Remaining provinces",
        priority=90,
        conditions=RuleConditions(regions=["Uva", "Sabaragamuwa"]),
        validity_days=60,
    ),
)

BANDS = ((0, 90), (91, 180), (181, 365), (366, None))
# Basis points in the first age band; older debt is harder to recover and pays more.
BASE_RATES = {
    RecoveryType.FULL_SETTLEMENT: 800,
    RecoveryType.INSTALMENT: 650,
    RecoveryType.PROMISE_PAYMENT: 550,
    RecoveryType.MEDIATION_SETTLEMENT: 400,
    RecoveryType.DIRECT_PAYMENT: 300,
}


def rate_table(*, effective_from: date, step_bp: int, cpe_fee: int, note: str) -> RateTableCreate:
    return RateTableCreate(
        effective_from=effective_from,
        rules=[
            RateRuleIn(
                recovery_type=kind,
                min_age_days=low,
                max_age_days=high,
                rate_bp=BASE_RATES[kind] + step_bp * band,
            )
            for kind in PAYMENT_TYPES
            for band, (low, high) in enumerate(BANDS)
        ],
        cpe_fee_per_item=Money(amount=cpe_fee),
        note=note,
    )


async def publish(admin: User, today: date) -> None:
    """Allocation rules, and two rate table versions (the newer one in effect today)."""
    for rule in RULES:
        await rules.create_rule(actor=admin, data=rule)
    tables = (
        rate_table(
            effective_from=date(today.year - 1, 1, 1),
            step_bp=100,
            cpe_fee=100_000,
            note="Rates agreed in the annual DRC contract",
        ),
        rate_table(
            effective_from=today - timedelta(days=45),
            step_bp=150,
            cpe_fee=150_000,
            note="Revised: more for debt older than 90 days, higher equipment fee",
        ),
    )
    for table in tables:
        await commission.create_rate_table(actor=admin, data=table)
