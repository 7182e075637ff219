"""Performance figures: what the console's dashboard draws, for the app and reports too."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.auth.deps import CurrentUser, OperatorStaff
from backend.performance import service
from backend.performance.schemas import Aging, Performance, PhaseCounts, Recovery
from backend.users.schemas import DRC_ID_PATTERN

router = APIRouter(prefix="/performance", tags=["performance"])

Months = Annotated[int, Query(ge=1, le=24, description="Calendar months, this one included")]
DrcFilter = Annotated[
    str | None,
    Query(pattern=DRC_ID_PATTERN, description="One DRC (operator staff); 404 outside reach"),
]


@router.get("/phases", summary="Cases per phase")
async def phases(actor: CurrentUser, drc_id: DrcFilter = None) -> PhaseCounts:
    """Within reach: operator staff every DRC, a supervisor theirs, an officer their own."""
    return await service.phases(actor=actor, drc_id=drc_id)


@router.get("/recovery", summary="Amounts recovered and the recovery rate per month")
async def recovery(actor: CurrentUser, months: Months = 6, drc_id: DrcFilter = None) -> Recovery:
    """Collected and placed per month, and the recovery rate to each month's end."""
    return await service.recovery(actor=actor, months=months, drc_id=drc_id)


@router.get("/officers", summary="Officers' performance")
async def officers(actor: CurrentUser, months: Months = 6, drc_id: DrcFilter = None) -> Performance:
    """Cases held, contacts, promises kept and broken, collected; an officer sees their own."""
    return await service.officers(actor=actor, months=months, drc_id=drc_id)


@router.get("/aging", summary="Open cases by days overdue")
async def aging(actor: CurrentUser, drc_id: DrcFilter = None) -> Aging:
    """Open cases and their outstanding per age band, within reach."""
    return await service.aging(actor=actor, drc_id=drc_id)


@router.get("/drcs", summary="Compare DRCs (operator staff)")
async def drcs(actor: OperatorStaff, months: Months = 6) -> Performance:
    """Each DRC's cases held, contacts, promises kept and broken, collected."""
    return await service.compare_drcs(actor=actor, months=months)
