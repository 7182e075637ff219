from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from backend.auth.deps import OperatorAdmin, StaffWithTeams
from backend.commission import service
from backend.commission.schemas import (
    MONTH_PATTERN,
    CommissionStatement,
    RateTableCreate,
    RateTableRead,
)
from backend.users.schemas import DRC_ID_PATTERN

router = APIRouter(prefix="/commission", tags=["commission"])


@router.get("/rates", summary="Commission rate tables")
async def list_rates(actor: StaffWithTeams) -> list[RateTableRead]:
    """Every version of the rates, newest first (operator staff and DRC supervisors)."""
    return [service.table_read_of(t) for t in await service.list_rate_tables(actor=actor)]


@router.post("/rates", status_code=status.HTTP_201_CREATED, summary="Publish new rates")
async def create_rates(actor: OperatorAdmin, body: RateTableCreate) -> RateTableRead:
    """A new version of the rates, in effect from its day (operator admins)."""
    return service.table_read_of(await service.create_rate_table(actor=actor, data=body))


@router.get("/statements", summary="Monthly commission statement")
async def get_statement(
    actor: StaffWithTeams,
    month: Annotated[str, Query(pattern=MONTH_PATTERN, description="YYYY-MM (UTC)")],
    drc_id: Annotated[str | None, Query(pattern=DRC_ID_PATTERN)] = None,
) -> CommissionStatement:
    """A DRC's earnings, clawbacks and net for a month: supervisors their own DRC,
    operator staff any DRC."""
    return await service.statement(actor=actor, drc_id=drc_id, month=month)
