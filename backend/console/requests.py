"""Officer requests waiting for a decision: supervisors their DRC's, operator staff all.

Read and decided through the requests service, as `GET /requests` and
`POST /requests/{id}/decision` are: who may decide which type is the service's rule.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from backend.console import forms, queues
from backend.console.deps import CsrfChecked, SignedIn
from backend.console.routing import ConsoleRoute
from backend.requests import service as requests
from backend.requests.models import RequestStatus
from backend.requests.schemas import RequestDecisionCreate
from backend.users.models import User

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

QUEUE = queues.Queue(
    "requests",
    fields_of={
        "request.note_required": "note",
        "request.letter_reference_required": "letter_reference",
        "request.inconsistent": "letter_reference",
    },
)
RequestId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]


@router.get("/requests")
async def request_list(request: Request, caller: SignedIn) -> Response:
    """The pending requests within the caller's reach, newest first, live."""
    page = await requests.list_for(
        actor=QUEUE.actor(caller),
        status=RequestStatus.PENDING,
        kind=None,
        case_id=None,
        cursor=None,
        limit=queues.QUEUE_SIZE,
    )
    names = await queues.names_of([item.requested_by for item in page.items])
    return QUEUE.list_page(
        request, caller, items=page.items, more=page.next_cursor is not None, names=names
    )


async def _context(actor: User, request_id: str) -> dict:
    found = await requests.get_for(actor=actor, request_id=request_id)
    names = await queues.names_of(
        [found.requested_by, found.decision.by if found.decision else None]
    )
    return {
        "item": requests.read(found),
        "names": names,
        "may_decide": requests.may_decide(actor, found),
    }


@router.get("/requests/{request_id}")
async def request_item(request: Request, request_id: RequestId, caller: SignedIn) -> Response:
    """One request and its decision form; another DRC's request is not found."""
    actor = QUEUE.actor(caller)
    return QUEUE.item_page(request, caller, **await _context(actor, request_id))


@router.post("/requests/{request_id}", dependencies=[CsrfChecked])
async def request_decide(request: Request, request_id: RequestId, caller: SignedIn) -> Response:
    """Approve or reject, through the service; a refusal shows beside the field."""
    actor = QUEUE.actor(caller)

    async def apply(sent: queues.Sent) -> None:
        data = forms.parse(RequestDecisionCreate, sent)
        await requests.decide(actor=actor, request_id=request_id, data=data)

    return await QUEUE.decide(
        request, caller, form="decision", apply=apply, context=lambda: _context(actor, request_id)
    )
