from __future__ import annotations

from fastapi import APIRouter, status

from backend.auth.deps import OperatorStaff
from backend.core.schemas import AccountNumber
from backend.segments import service
from backend.segments.schemas import (
    AssignmentRead,
    OverrideCreate,
    Reason,
    SegmentCreate,
    SegmentOrder,
    SegmentPath,
    SegmentRead,
    SegmentUpdate,
)

router = APIRouter(tags=["segments"])

SegmentId = SegmentPath
AccountId = AccountNumber


@router.get("/segments", summary="Segments, in the order they are tried")
async def list_segments(actor: OperatorStaff) -> list[SegmentRead]:
    """Every segment; an account joins the first whose rules it meets."""
    return await service.list_segments()


@router.post("/segments", status_code=status.HTTP_201_CREATED, summary="Create a segment")
async def create_segment(actor: OperatorStaff, body: SegmentCreate) -> SegmentRead:
    """A rule refused names its field; nothing is stored then."""
    return await service.create_segment(actor=actor, data=body)


@router.put("/segment-order", summary="Set the order segments are tried in")
async def reorder_segments(actor: OperatorStaff, body: SegmentOrder) -> list[SegmentRead]:
    """The list names every segment once, first tried first."""
    return await service.reorder(actor=actor, data=body)


@router.get("/segments/{segment_id}", summary="One segment")
async def get_segment(actor: OperatorStaff, segment_id: SegmentId) -> SegmentRead:
    """The segment's rules and version."""
    return await service.get_segment(segment_id=segment_id)


@router.put("/segments/{segment_id}", summary="Change a segment's name and rules")
async def update_segment(
    actor: OperatorStaff, segment_id: SegmentId, body: SegmentUpdate
) -> SegmentRead:
    """The segment's version goes up; the change is audited."""
    return await service.update_segment(actor=actor, segment_id=segment_id, data=body)


@router.delete(
    "/segments/{segment_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Remove a segment"
)
async def delete_segment(actor: OperatorStaff, segment_id: SegmentId) -> None:
    """Accounts in it move on at their next evaluation."""
    await service.delete_segment(actor=actor, segment_id=segment_id)


@router.get("/accounts/{account_id}/segment", summary="An account's segment and why")
async def account_segment(actor: OperatorStaff, account_id: AccountId) -> AssignmentRead:
    """Where the last evaluation placed the account, and the reason."""
    return await service.assignment_of(account_id=account_id)


@router.put(
    "/accounts/{account_id}/segment-override",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Place an account in a segment by hand",
)
async def set_override(actor: OperatorStaff, account_id: AccountId, body: OverrideCreate) -> None:
    """With a reason; audited; applies from the account's next evaluation."""
    await service.set_override(actor=actor, account_id=account_id, data=body)


@router.delete(
    "/accounts/{account_id}/segment-override",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Let the rules place the account again",
)
async def clear_override(actor: OperatorStaff, account_id: AccountId, reason: Reason) -> None:
    """`reason` (query) says why; audited."""
    await service.clear_override(actor=actor, account_id=account_id, reason=reason)
