"""The staff worklist: promise follow-ups, replies nobody could match and escalations the
ladder could not settle, through the service behind `/worklist`. Operator staff see what
is open or claimed, live, claim an item and close it with a note of what was done."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from backend.console import forms, queues
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import OperatorCaller
from backend.console.routing import ConsoleRoute
from backend.responses import service as responses
from backend.users.models import User
from backend.worklist import service as worklist
from backend.worklist.models import WorkKind, WorkStatus
from backend.worklist.schemas import WorkFilters, WorkItemClose

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

QUEUE = queues.Queue("worklist", operator_only=True)
ItemId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
WAITING = (WorkStatus.OPEN, WorkStatus.CLAIMED)


class WorklistQuery(BaseModel):
    """Which items the list shows: of one kind, or every kind."""

    model_config = ConfigDict(extra="ignore")

    kind: WorkKind | None = None


@router.get("/worklist")
async def worklist_list(request: Request, caller: OperatorCaller) -> Response:
    """Items open or claimed, soonest due first, live."""
    query = forms.parse(WorklistQuery, forms.values(request.query_params))
    items, more = [], False
    for status in WAITING:
        page = await worklist.list_items(
            actor=caller.user,
            filters=WorkFilters(kind=query.kind, status=status),
            cursor=None,
            limit=queues.QUEUE_SIZE,
        )
        items += page.items
        more = more or page.next_cursor is not None
    items.sort(key=lambda item: (item.due, item.id))
    names = await queues.names_of([item.assignee for item in items])
    return QUEUE.list_page(
        request, caller, items=items, more=more, names=names, kinds=list(WorkKind), kind=query.kind
    )


async def _context(actor: User, item_id: str) -> dict[str, Any]:
    item = await worklist.get_item(actor=actor, item_id=item_id)
    names = await queues.names_of([item.assignee, *(note.by for note in item.notes)])
    reply = (
        await responses.get_response(actor=actor, response_id=item.response_id)
        if item.response_id
        else None
    )
    return {"item": item, "names": names, "reply": reply}


@router.get("/worklist/{item_id}")
async def worklist_item(request: Request, item_id: ItemId, caller: OperatorCaller) -> Response:
    """One item, its notes, and the claim and close forms."""
    return QUEUE.item_page(request, caller, **await _context(caller.user, item_id))


async def _decide(
    request: Request, caller: Caller, item_id: str, form: str, apply: queues.Apply
) -> Response:
    """The form through the service; the item page again with the problem if refused."""
    context = lambda: _context(caller.user, item_id)  # noqa: E731
    return await QUEUE.decide(request, caller, form=form, apply=apply, context=context)


@router.post("/worklist/{item_id}/claim", dependencies=[CsrfChecked])
async def claim_item(request: Request, item_id: ItemId, caller: OperatorCaller) -> Response:
    """Take the item, as `POST /worklist/{id}/claim` does."""

    async def apply(sent: dict[str, Any]) -> None:
        await worklist.claim(actor=caller.user, item_id=item_id)

    return await _decide(request, caller, item_id, "claim", apply)


@router.post("/worklist/{item_id}/close", dependencies=[CsrfChecked])
async def close_item(request: Request, item_id: ItemId, caller: OperatorCaller) -> Response:
    """Mark the item done with a note, as `POST /worklist/{id}/close` does."""

    async def apply(sent: dict[str, Any]) -> None:
        data = forms.parse(WorkItemClose, sent)
        await worklist.close(actor=caller.user, item_id=item_id, note=data.note)

    return await _decide(request, caller, item_id, "close", apply)
