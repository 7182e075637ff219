"""The settlement section of the officer's case document (Firestore)."""

from __future__ import annotations

from datetime import date

from backend.cases.models import Case
from backend.cases.sections import CaseSection, Section, case_ids
from backend.core.money import Money
from backend.core.projection import MirrorModel
from backend.settlements import repository
from backend.settlements.models import (
    InstalmentStatus,
    Settlement,
    SettlementKind,
    SettlementSource,
    SettlementStatus,
)


class InstalmentPart(MirrorModel):
    number: int
    due_date: date
    amount: Money
    paid: Money
    status: InstalmentStatus


class SettlementPart(MirrorModel):
    id: str
    kind: SettlementKind
    source: SettlementSource
    status: SettlementStatus
    total: Money
    paid: Money
    discount: Money
    missed: int
    instalments: list[InstalmentPart]
    version: int


async def _active(found: list[Case]) -> dict[str, Settlement]:
    """The active settlement of each case that has one, in one query."""
    return {s.case_id: s for s in await repository.active_of_cases(case_ids(found))}


def _settlement(case: Case, active: dict[str, Settlement]) -> SettlementPart | None:
    settlement = active.get(str(case.id))
    if settlement is None:
        return None
    return SettlementPart(
        id=str(settlement.id),
        kind=settlement.kind,
        source=settlement.source,
        status=settlement.status,
        total=settlement.total,
        paid=settlement.paid,
        discount=settlement.discount,
        missed=settlement.missed,
        instalments=[
            InstalmentPart(
                number=i.number, due_date=i.due_date, amount=i.amount, paid=i.paid, status=i.status
            )
            for i in settlement.instalments
        ],
        version=settlement.version,
    )


SETTLEMENT = CaseSection(
    Section.SETTLEMENT,
    SettlementPart | None,
    load=_active,
    build=_settlement,
    description="The active settlement, if any",
)
