from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from backend.auth.deps import CurrentUser, InternalCaller, StaffWithTeams, UserRateLimited
from backend.core.errors import problem_responses
from backend.core.pagination import Cursor, Limit, ObjectIdCursor, Page
from backend.syncing import outbox, service
from backend.syncing.schemas import Dismiss, InboxRead, MutationOutcome, Reapply
from sync.models import InboxKind, InboxStatus
from sync.outbox import Processed
from sync.protocol import ClientId, PullPage, PushBatch, PushResults

router = APIRouter(prefix="/sync", tags=["sync"])

ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Review item id")]
PullLimit = Annotated[int, Query(ge=1, le=1000, description="Changes per page")]
# A Firebase uid or a Firestore document id; never "." or "..", never a path.
FirestoreId = Annotated[str, Path(pattern=r"^[A-Za-z0-9_:@-][A-Za-z0-9_.:@-]{0,127}$")]


def _settings(request: Request):
    return request.app.state.settings.sync


@router.post(
    "/push",
    summary="Apply the app's queued mutations",
    responses=problem_responses(426, 429),
    dependencies=[UserRateLimited("sync_push")],
)
async def push(batch: PushBatch, actor: CurrentUser, settings=Depends(_settings)) -> PushResults:
    """One result per mutation, in the order sent: applied, merged, rejected, quarantined
    or retry. Sending a batch again changes nothing and returns the same results.
    The protocol: mobile_contract/sync/README.md."""
    service.check_client(settings, batch.mutations)
    return PushResults(results=await service.push(actor=actor, batch=batch.mutations))


@router.get("/pull", summary="Changes since a cursor")
async def pull(actor: CurrentUser, since: Cursor = None, limit: PullLimit = 200) -> PullPage:
    """Without `since`: the initial sync, paged. With it: what changed since, including
    cases that left the caller (`remove`). `reset: true` means sync again from scratch."""
    return await service.pull(actor=actor, since=since, limit=limit)


@router.get("/mutations", summary="Outcomes of your mutations")
async def list_outcomes(
    actor: CurrentUser,
    client_id: Annotated[ClientId | None, Query()] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[MutationOutcome]:
    """Newest first, each with the result given and any reviewer's decision."""
    return await service.outcomes(actor=actor, client_id=client_id, cursor=cursor, limit=limit)


@router.get("/inbox", summary="Mutations kept for review")
async def list_inbox(
    actor: StaffWithTeams,
    status: Annotated[list[InboxStatus] | None, Query()] = None,
    kind: InboxKind | None = None,
    uid: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    cursor: ObjectIdCursor = None,
    limit: Limit = 50,
) -> Page[InboxRead]:
    """Supervisors see their DRC's officers' items, operator staff all; open ones by default."""
    return await service.review_page(
        actor=actor,
        statuses=status or [InboxStatus.OPEN],
        kind=kind,
        uid=uid,
        cursor=cursor,
        limit=limit,
    )


@router.get("/inbox/{item_id}", summary="One kept mutation")
async def get_inbox_item(item_id: ItemId, actor: StaffWithTeams) -> InboxRead:
    return InboxRead.of(await service.review_item(actor=actor, item_id=item_id))


@router.post("/inbox/{item_id}/reapply", summary="Re-apply a kept mutation")
async def reapply(item_id: ItemId, body: Reapply, actor: StaffWithTeams) -> InboxRead:
    """Applies it now as the reviewer, optionally with edited `args`; the officer sees it."""
    item = await service.reapply(actor=actor, item_id=item_id, args=body.args, note=body.note)
    return InboxRead.of(item)


@router.post("/inbox/{item_id}/dismiss", summary="Dismiss a kept mutation")
async def dismiss(item_id: ItemId, body: Dismiss, actor: StaffWithTeams) -> InboxRead:
    return InboxRead.of(await service.dismiss(actor=actor, item_id=item_id, reason=body.reason))


@router.post("/outbox/{uid}/{doc_id}", dependencies=[InternalCaller], include_in_schema=False)
async def deliver_outbox(uid: FirestoreId, doc_id: FirestoreId, request: Request) -> Processed:
    """Internal, for the Cloud Function: apply outbox/{uid}/mutations/{doc_id} as read from
    Firestore, write the result onto it and return it."""
    resources = request.app.state.resources
    return await outbox.deliver(resources=resources, uid=uid, doc_id=doc_id)
