from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from backend.auth.deps import OperatorStaff
from backend.core.pagination import Cursor, Limit, Page
from backend.core.schemas import Day
from backend.worklist import service
from backend.worklist.models import WorkKind, WorkStatus
from backend.worklist.schemas import WorkFilters, WorkItemClose, WorkItemRead

router = APIRouter(tags=["worklist"])

WorkItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Worklist item id")]


@router.get("/worklist", summary="The staff worklist (operator)")
async def list_items(
    actor: OperatorStaff,
    kind: WorkKind | None = None,
    status: WorkStatus | None = None,
    assignee: Annotated[str | None, Query(max_length=128)] = None,
    customer_id: Annotated[str | None, Query(max_length=64)] = None,
    due_before: Day | None = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[WorkItemRead]:
    """Promise follow-ups, unmatched replies and escalations, soonest due first."""
    filters = WorkFilters(
        kind=kind, status=status, assignee=assignee, customer_id=customer_id, due_before=due_before
    )
    return await service.list_items(actor=actor, filters=filters, cursor=cursor, limit=limit)


@router.get("/worklist/{item_id}", summary="One worklist item (operator)")
async def get_item(actor: OperatorStaff, item_id: WorkItemId) -> WorkItemRead:
    """The item with its notes."""
    return await service.get_item(actor=actor, item_id=item_id)


@router.post("/worklist/{item_id}/claim", summary="Claim a worklist item (operator)")
async def claim(actor: OperatorStaff, item_id: WorkItemId) -> WorkItemRead:
    """Take the item; one someone else claimed is a 409."""
    return await service.claim(actor=actor, item_id=item_id)


@router.post("/worklist/{item_id}/close", summary="Close a worklist item with a note (operator)")
async def close(actor: OperatorStaff, item_id: WorkItemId, body: WorkItemClose) -> WorkItemRead:
    """Mark the item done, saying what was done; audited."""
    return await service.close(actor=actor, item_id=item_id, note=body.note)
