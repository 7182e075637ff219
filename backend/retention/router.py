from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from backend.auth.deps import CurrentUser, OperatorAdmin, OperatorStaff
from backend.core.pagination import Limit, ObjectIdCursor, Page, object_id_cursor
from backend.retention import archive, service
from backend.retention.schemas import ArchivedCaseRead, ArchivedCaseSummary, RetentionRunRead

router = APIRouter(tags=["retention"])

CaseId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Case id")]
Key = Annotated[str | None, Query(min_length=1, max_length=64)]


@router.get("/archive/cases/{case_id}", summary="An archived case (operator)")
async def get_archived_case(actor: CurrentUser, case_id: CaseId) -> ArchivedCaseRead:
    """A closed case retention moved out of the live cases, with the records that went
    with it (negotiations, promises, settlements, equipment, board file, requests).
    Operator staff only; anyone else gets the 404 of a case they may not see."""
    return await archive.get_archived(actor=actor, case_id=case_id)


@router.get("/archive/cases", summary="Archived cases, a customer's or an account's (operator)")
async def list_archived_cases(
    _: OperatorStaff, customer_id: Key = None, account_id: Key = None, limit: Limit = 50
) -> list[ArchivedCaseSummary]:
    """Latest closed first: every archived case, or a customer's, an account's or both."""
    return await archive.list_archived(customer_id=customer_id, account_id=account_id, limit=limit)


@router.get("/retention/runs", summary="Retention runs (operator admin)")
async def list_runs(
    _: OperatorAdmin, cursor: ObjectIdCursor = None, limit: Limit = 20
) -> Page[RetentionRunRead]:
    """Newest first: each run's cut-off times and what it archived, minimised and pruned
    (counts and a sample of ids). Dry runs are not stored."""
    items, more = await service.list_runs(cursor=object_id_cursor(cursor), limit=limit)
    return Page(items=items, next_cursor=more)
