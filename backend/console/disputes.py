"""Billing and payment disputes, through the service behind `/disputes`: the list of
those within reach (live), one dispute with its record, and for operator staff the
investigate and resolve forms; a form to raise one (operator staff on any account, a
supervisor on a case of their DRC). A refused form shows each problem beside its field
and saves nothing; a dispute outside reach is the not-found page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import RedirectResponse, Response

from backend.console import forms, queues
from backend.console.deps import Caller, CsrfChecked, SignedIn
from backend.console.routing import ConsoleRoute
from backend.console.security import CSRF_FIELD
from backend.console.templates import render
from backend.core.errors import DomainError
from backend.core.money import DEFAULT_CURRENCY, Currency
from backend.disputes import service as disputes
from backend.disputes.models import DisputeKind, DisputeOutcome, DisputeStatus
from backend.disputes.schemas import DisputeCreate, DisputeFilters, DisputeResolve
from backend.users.models import User

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

QUEUE = queues.Queue("disputes")
DisputeId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
WAITING = (DisputeStatus.OPEN, DisputeStatus.INVESTIGATING)


class DisputesQuery(BaseModel):
    """Which disputes the list shows: of one state (default: those not yet resolved)."""

    model_config = ConfigDict(extra="ignore")

    status: DisputeStatus | None = None


class MoneyForm(BaseModel):
    """An amount as typed, in rupees and cents, with its currency."""

    model_config = ConfigDict(extra="forbid")

    amount: forms.Amount | None = None
    currency: Currency = DEFAULT_CURRENCY

    def money(self) -> dict[str, Any] | None:
        if self.amount is None:
            return None
        return {"amount": int(self.amount * 100), "currency": self.currency}


class RaiseForm(MoneyForm):
    kind: str = ""
    account_id: str = ""
    case_id: str | None = None
    invoice_id: str | None = None
    payment_id: str | None = None
    receipt_id: str | None = None
    description: str = ""

    def body(self) -> DisputeCreate:
        fields = self.model_dump(exclude={"amount", "currency"}, exclude_none=True)
        return _parse(DisputeCreate, {**fields, "amount": self.money()})


class ResolveForm(MoneyForm):
    outcome: str = ""
    note: str = ""

    def body(self) -> DisputeResolve:
        fields = {"outcome": self.outcome, "note": self.note, "amount": self.money()}
        return _parse(DisputeResolve, fields)


def _parse(model: type[forms.M], fields: dict[str, Any]) -> forms.M:
    """The API's body from the form's fields; its problems named as the form names them."""
    return forms.parse(model, {k: v for k, v in fields.items() if v not in (None, "")})


@router.get("/disputes")
async def disputes_list(request: Request, caller: SignedIn) -> Response:
    """Disputes within reach, newest first, live: those not yet resolved, or one state."""
    query = forms.parse(DisputesQuery, forms.values(request.query_params))
    items, more = [], False
    for status in (query.status,) if query.status else WAITING:
        page = await disputes.list_disputes(
            actor=caller.user,
            filters=DisputeFilters(status=status),
            cursor=None,
            limit=queues.QUEUE_SIZE,
        )
        items += page.items
        more = more or page.next_cursor is not None
    items.sort(key=lambda d: d.id, reverse=True)
    names = await queues.names_of([d.raised_by for d in items])
    return QUEUE.list_page(
        request, caller, items=items, more=more, names=names, statuses=list(DisputeStatus),
        shown=query.status,
    )  # fmt: skip


def _raise_page(
    request: Request,
    caller: Caller,
    *,
    problem: DomainError | None = None,
    sent: dict | None = None,
) -> Response:
    return render(
        request,
        "disputes/new.html",
        session=caller.session,
        user=caller.user,
        status=problem.status if problem else 200,
        problem=problem,
        sent=sent or {},
        fields=forms.field_problems(problem),
        kinds=list(DisputeKind),
    )


@router.get("/disputes/new")
async def new_dispute(request: Request, caller: SignedIn) -> Response:
    """The form to raise a dispute."""
    return _raise_page(request, caller, sent=forms.values(request.query_params))


@router.post("/disputes/new", dependencies=[CsrfChecked])
async def raise_dispute(request: Request, caller: SignedIn) -> Response:
    """Raise it as `POST /disputes` does; the form again with its problems if refused."""
    sent = forms.values(await request.form(), drop=(CSRF_FIELD,))
    try:
        data = forms.parse(RaiseForm, sent).body()
        made = await disputes.raise_dispute(actor=caller.user, data=data)
    except DomainError as problem:
        return _raise_page(request, caller, problem=problem, sent=sent)
    return RedirectResponse(f"/console/disputes/{made.id}?done=raise", status_code=303)


async def _context(actor: User, dispute_id: str, done: str | None = None) -> dict[str, Any]:
    dispute = await disputes.get_dispute(actor=actor, dispute_id=dispute_id)
    by = [dispute.raised_by, dispute.investigated_by]
    names = await queues.names_of([*by, dispute.resolution.by if dispute.resolution else None])
    return {"item": dispute, "names": names, "outcomes": list(DisputeOutcome), "done": done}


@router.get("/disputes/{dispute_id}")
async def dispute_page(request: Request, dispute_id: DisputeId, caller: SignedIn) -> Response:
    """One dispute, its record, and (operator staff) the step it can take next."""
    done = "raise" if request.query_params.get("done") == "raise" else None
    context = await _context(caller.user, dispute_id, done)
    return QUEUE.item_page(request, caller, **context)


async def _decide(
    request: Request, caller: Caller, dispute_id: str, form: str, apply: queues.Apply
) -> Response:
    """The form through the service; the dispute's page again with the problem if refused."""
    context = lambda: _context(caller.user, dispute_id)  # noqa: E731
    return await QUEUE.decide(request, caller, form=form, apply=apply, context=context)


@router.post("/disputes/{dispute_id}/investigate", dependencies=[CsrfChecked])
async def investigate(request: Request, dispute_id: DisputeId, caller: SignedIn) -> Response:
    """Take the dispute up, as `POST /disputes/{id}/investigate` does."""

    async def apply(sent: dict[str, Any]) -> None:
        await disputes.investigate(actor=caller.user, dispute_id=dispute_id)

    return await _decide(request, caller, dispute_id, "investigate", apply)


@router.post("/disputes/{dispute_id}/resolve", dependencies=[CsrfChecked])
async def resolve(request: Request, dispute_id: DisputeId, caller: SignedIn) -> Response:
    """Resolve it, as `POST /disputes/{id}/resolve` does."""

    async def apply(sent: dict[str, Any]) -> None:
        data = forms.parse(ResolveForm, sent).body()
        await disputes.resolve(actor=caller.user, dispute_id=dispute_id, data=data)

    return await _decide(request, caller, dispute_id, "resolve", apply)
