from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from backend.auth.deps import CurrentUser, OperatorStaff
from backend.cases import queries, service
from backend.cases.deps import CaseForCaller
from backend.cases.models import Action, PartStatus
from backend.cases.phases import Phase
from backend.cases.queries import CaseFilters
from backend.cases.schemas import CaseRead, CaseSort, CaseSummary, CaseWithdraw, PhaseCounts
from backend.core.pagination import Cursor, Limit, Page
from backend.users.schemas import DRC_ID_PATTERN

router = APIRouter(prefix="/cases", tags=["cases"])

Text = Annotated[str | None, Query(min_length=1, max_length=64)]


def _filters(
    phase: Annotated[list[Phase] | None, Query(description="Any of these phases")] = None,
    action: Action | None = None,
    drc_id: Annotated[str | None, Query(pattern=DRC_ID_PATTERN)] = None,
    ro_id: Text = None,
    region: Text = None,
    account_id: Text = None,
    customer_id: Text = None,
    follow_up_due: bool | None = None,
    cpe_status: Annotated[
        PartStatus | None, Query(description="Equipment part, e.g. awaiting_approval")
    ] = None,
    open_only: bool = False,
) -> CaseFilters:
    return CaseFilters(
        phases=phase,
        action=action,
        drc_id=drc_id,
        ro_id=ro_id,
        region=region,
        account_id=account_id,
        customer_id=customer_id,
        follow_up_due=follow_up_due,
        cpe_status=cpe_status,
        open_only=open_only,
    )


Filters = Annotated[CaseFilters, Depends(_filters)]


@router.get("", summary="List cases")
async def list_cases(
    actor: CurrentUser,
    filters: Filters,
    sort: CaseSort = CaseSort.UPDATED,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[CaseSummary]:
    """Officers see their cases, supervisors their DRC's, operator staff all."""
    return await queries.list_cases(
        actor=actor, filters=filters, sort=sort, cursor=cursor, limit=limit
    )


@router.get("/counts", summary="Count cases per phase")
async def count_cases(
    actor: CurrentUser,
    filters: Filters,
) -> PhaseCounts:
    """Counts within the caller's reach, with the same filters as the list."""
    return await queries.phase_counts(actor=actor, filters=filters)


@router.get("/{case_id}", summary="Case detail")
async def get_case(case: CaseForCaller) -> CaseRead:
    """Everything about one case; 404 when it is outside the caller's reach."""
    return service.detail_of(case)


@router.post("/{case_id}/withdraw", summary="Withdraw a case (operator)")
async def withdraw_case(case: CaseForCaller, actor: OperatorStaff, body: CaseWithdraw) -> CaseRead:
    """Close an open case without recovery, e.g. the customer settled with the operator."""
    return await service.withdraw(actor=actor, case=case, data=body)
