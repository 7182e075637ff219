"""One account in arrears: its standing, segment and why, its ladder and the ledger of
steps taken, its service with OSS, and the customer's replies; with the operator's
overrides (segment by hand, skip to a step, hold, release), each with a reason and
audited by the services the API uses (`/accounts/.../segment-override`,
`/dunning/accounts/.../override`). Operator staff only."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, StringConstraints
from starlette.responses import RedirectResponse, Response

from backend.console import editing, forms
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import OperatorCaller
from backend.console.queues import Queue, names_of
from backend.console.routing import ConsoleRoute
from backend.core.errors import DomainError
from backend.dunning import service as dunning
from backend.dunning import strategies
from backend.dunning.schemas import LadderOverride
from backend.oss import service as oss
from backend.responses import service as responses
from backend.responses.schemas import ResponseFilters
from backend.segments import service as segments
from backend.segments.schemas import OverrideCreate, Reason

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

# The page's forms name their fields `segment.*`, `unplace.*`, `ladder.*`; a rule's problem
# without a field shows beside the field it is about.
PAGE = Queue(
    "accounts",
    operator_only=True,
    fields_of={"dunning.not_held": "ladder.action", "dunning.step_unknown": "ladder.step"},
)
ACCOUNT = r"^[A-Za-z0-9_.-]+$"
AccountId = Annotated[str, Path(min_length=1, max_length=64, pattern=ACCOUNT)]
NOTICES = {
    "segment": "segment_overridden",
    "unplace": "override_cleared",
    "ladder": "ladder_changed",
}
Change = Literal["segment", "unplace", "ladder"]
REPLIES = 20  # the customer's latest replies shown


async def _context(caller: Caller, account_id: str) -> dict[str, Any]:
    """What the page shows of the account; one never evaluated is not found."""
    standing = await dunning.get_standing(account_id=account_id)
    ladder = standing.ladder
    strategy = (
        await strategies.get_strategy(strategy_id=ladder.strategy_id)
        if ladder and ladder.strategy_id
        else None
    )
    ledger = await dunning.ledger_of(account_id=account_id)
    filters = ResponseFilters(customer_id=standing.facts.customer_id)
    replies = await responses.list_responses(
        actor=caller.user, filters=filters, cursor=None, limit=REPLIES
    )
    return {
        "standing": standing,
        "strategy": strategy,
        "step_choices": [(step.key, step.key) for step in strategy.steps] if strategy else [],
        "ledger": ledger,
        "service": await oss.service_state(account_id),
        "replies": replies.items,
        "segments": [(s.id, s.name) for s in await segments.list_segments()],
        "override": await segments.override_of(account_id=account_id),
        "names": await names_of([entry.by for entry in ledger]),
    }


async def _page(
    request: Request,
    caller: Caller,
    account_id: str,
    *,
    sent: dict[str, Any] | None = None,
    problem: DomainError | None = None,
) -> Response:
    return PAGE.item_page(
        request,
        caller,
        problem=problem,
        sent=sent,
        saved=editing.notice_of(request, NOTICES.values()),
        **await _context(caller, account_id),
    )


class Lookup(BaseModel):
    """The account number typed in the lookup box."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    account_id: Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=ACCOUNT)]


@router.get("/accounts")
async def look_up(request: Request, caller: OperatorCaller) -> Response:
    """The lookup box's account, by its number."""
    found = forms.parse(Lookup, forms.values(request.query_params))
    return RedirectResponse(f"/console/accounts/{found.account_id}", status_code=303)


@router.get("/accounts/{account_id}")
async def account_page(request: Request, account_id: AccountId, caller: OperatorCaller) -> Response:
    """The account's standing, segment, ladder, ledger, service and replies."""
    return await _page(request, caller, account_id)


class Unplace(BaseModel):
    reason: Reason


class OverrideForms(BaseModel):
    """The page's forms; the one posted fills its part."""

    segment: OverrideCreate | None = None
    unplace: Unplace | None = None
    ladder: LadderOverride | None = None


async def _override(caller: Caller, account_id: str, change: Change, sent: dict[str, Any]) -> None:
    """Through the segments service (placed by hand, or back to the rules) or the dunning
    one (skip, hold, release), each with a reason, as the API's override routes do; both
    audit it."""
    posted = forms.parse(OverrideForms, {change: forms.nested(sent).get(change, {})})
    if posted.segment is not None:
        await segments.set_override(actor=caller.user, account_id=account_id, data=posted.segment)
    if posted.unplace is not None:
        reason = posted.unplace.reason
        await segments.clear_override(actor=caller.user, account_id=account_id, reason=reason)
    if posted.ladder is not None:
        await dunning.override_ladder(actor=caller.user, account_id=account_id, data=posted.ladder)


@router.post("/accounts/{account_id}/{change}", dependencies=[CsrfChecked])
async def override(
    request: Request, account_id: AccountId, change: Change, caller: OperatorCaller
) -> Response:
    """Place the account in a segment by hand (or back to the rules), or skip, hold or
    release its ladder."""
    await dunning.get_standing(account_id=account_id)
    sent = {k: v for k, v in (await editing.posted(request)).items() if k.startswith(change)}
    return await editing.save_or_show(
        lambda: _override(caller, account_id, change, sent),
        lambda p: _page(request, caller, account_id, sent=sent, problem=p),
        back=f"/console/accounts/{account_id}",
        notice=NOTICES[change],
    )
