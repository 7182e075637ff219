"""What every work queue of the console shares: a polled list of what waits, one item's
page with its decision forms, and a decision posted through the domain's service.

A queue's module (inbox, requests, cpe, legal) says how to load its items and how to
apply a decision; this module does the rest the same way for each: the live list, the
item page, forms parsed from the posted fields, and, when the service refuses, the item
page again with what was typed and each problem beside its field (nothing was saved).
An item outside the caller's reach is the not-found page, as the service decides.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from backend.cases import queries
from backend.cases import service as cases
from backend.cases.models import Case
from backend.cases.queries import CaseFilters
from backend.cases.schemas import CaseSort
from backend.console import forms
from backend.console.deps import Caller, CsrfChecked, SignedIn, console_state
from backend.console.routing import ConsoleRoute
from backend.console.security import CSRF_FIELD
from backend.console.templates import render
from backend.core.errors import DomainError, Forbidden
from backend.users import service as users
from backend.users.models import User

# How many waiting items a list shows at once; the rest follow as these are decided.
QUEUE_SIZE = 50
# What the list says after a decision (`?done=`); anything else says nothing.
DONE = frozenset(
    {
        "approve",
        "reject",
        "reapply",
        "edit",
        "dismiss",
        "claim",
        "close",
        "investigate",
        "resolve",
        "match",
        "refund",
    }
)
RESULTS = "queue-results"  # the polled part of a list, as htmx targets it

CaseId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$")]
Sent = dict[str, Any]
Apply = Callable[[Sent], Awaitable[object]]
Context = Callable[[], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Queue:
    """One queue: its URL /console/<name>, its templates <name>/ and labels <name>.*."""

    name: str
    operator_only: bool = False
    # problem code -> the field it is about, for rules the service checks without a field
    fields_of: Mapping[str, str] = field(default_factory=dict)

    @property
    def href(self) -> str:
        return f"/console/{self.name}"

    def actor(self, caller: Caller) -> User:
        """The caller, if this queue is theirs to work."""
        if self.operator_only and not caller.user.is_operator:
            raise Forbidden(f"The {self.name} queue is worked by operator staff")
        return caller.user

    def list_page(
        self, request: Request, caller: Caller, *, items: list, more: bool, **ctx: Any
    ) -> Response:
        """The whole list page, or only its polled results when htmx asks for them."""
        done = request.query_params.get("done")
        return render(
            request,
            _list_template(request),
            session=caller.session,
            user=caller.user,
            name=self.name,
            items=items,
            more=more,
            done=done if done in DONE else None,
            poll=_polled_url(request),
            refresh_seconds=console_state(request).settings.console.refresh_seconds,
            **ctx,
        )

    def item_page(
        self,
        request: Request,
        caller: Caller,
        *,
        problem: DomainError | None = None,
        form: str | None = None,
        sent: Sent | None = None,
        **ctx: Any,
    ) -> Response:
        """One item with its decision forms; a refused form shows its problems."""
        return render(
            request,
            f"{self.name}/item.html",
            session=caller.session,
            user=caller.user,
            status=problem.status if problem else 200,
            name=self.name,
            problem=problem,
            form=form,
            sent=sent or {},
            fields=self.problems(problem),
            **ctx,
        )

    def problems(self, problem: DomainError | None) -> dict[str, str]:
        """Each field's problem; a rule's problem beside the field the rule is about."""
        fields = forms.field_problems(problem)
        if problem is not None and problem.code in self.fields_of:
            fields.setdefault(self.fields_of[problem.code], problem.detail)
        return fields

    async def decide(
        self, request: Request, caller: Caller, *, form: str, apply: Apply, context: Context
    ) -> Response:
        """Apply the posted form; back to the list when done, else the item page again."""
        sent = forms.values(await request.form(), drop=(CSRF_FIELD,))
        try:
            await apply(sent)
        except DomainError as problem:
            # reloaded: the item may have gone meanwhile (then the not-found page)
            return self.item_page(
                request, caller, problem=problem, form=form, sent=sent, **await context()
            )
        done = sent.get("decision", form)
        return RedirectResponse(f"{self.href}?done={done}", status_code=303)


CaseDetails = Callable[[Case], Awaitable[dict[str, Any]]]
CaseDecision = Callable[..., Awaitable[object]]  # (*, actor, case, data)


@dataclass(frozen=True)
class CaseQueue:
    """A queue of cases: those within reach matching `filters`; one case with what
    `details` adds; its decision (`model`) applied by the domain's `decide`."""

    queue: Queue
    filters: CaseFilters
    model: type[BaseModel]
    details: CaseDetails
    decide: CaseDecision

    def routes(self) -> APIRouter:
        """The queue's pages: the list, one case, and its decision."""
        router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)
        one = f"/{self.queue.name}/{{case_id}}"
        router.add_api_route(f"/{self.queue.name}", self.waiting, methods=["GET"])
        router.add_api_route(one, self.one, methods=["GET"])
        router.add_api_route(one, self.decided, methods=["POST"], dependencies=[CsrfChecked])
        return router

    async def context(self, actor: User, case_id: str) -> dict[str, Any]:
        case = await cases.get_for(actor=actor, case_id=case_id)
        names = await names_of([case.ro_id])
        return {"case": case, "names": names, **await self.details(case)}

    async def waiting(self, request: Request, caller: SignedIn) -> Response:
        """The cases waiting, recently changed first, live."""
        page = await queries.list_cases(
            actor=self.queue.actor(caller),
            filters=self.filters,
            sort=CaseSort.UPDATED,
            cursor=None,
            limit=QUEUE_SIZE,
        )
        names = await names_of([case.ro_id for case in page.items])
        more = page.next_cursor is not None
        return self.queue.list_page(request, caller, items=page.items, more=more, names=names)

    async def one(self, request: Request, case_id: CaseId, caller: SignedIn) -> Response:
        """One case and its decision form; a case outside reach is not found."""
        actor = self.queue.actor(caller)
        return self.queue.item_page(request, caller, **await self.context(actor, case_id))

    async def decided(self, request: Request, case_id: CaseId, caller: SignedIn) -> Response:
        """The decision, through the domain's service."""
        actor = self.queue.actor(caller)

        async def apply(sent: Sent) -> None:
            data = forms.parse(self.model, sent)
            case = await cases.get_for(actor=actor, case_id=case_id)
            await self.decide(actor=actor, case=case, data=data)

        return await self.queue.decide(
            request,
            caller,
            form="decision",
            apply=apply,
            context=lambda: self.context(actor, case_id),
        )


def _list_template(request: Request) -> str:
    headers = request.headers
    polled = headers.get("hx-request") == "true" and headers.get("hx-target") == RESULTS
    if polled and not headers.get("hx-history-restore-request"):
        return "queues/_results.html"
    return "queues/list.html"


def _polled_url(request: Request) -> str:
    """This list's URL without the note of a decision just made."""
    query = urlencode([(k, v) for k, v in request.query_params.multi_items() if k != "done"])
    return request.url.path + (f"?{query}" if query else "")


async def names_of(uids: list[str | None]) -> dict[str, str]:
    """Who is who in a list: display names by uid."""
    return await users.names_of([uid for uid in dict.fromkeys(uids) if uid])
