"""The case list (the supervisor's main page) and the case detail page.

Both read through the same service functions as `GET /cases` and `GET /cases/{id}`, so
the reach is the API's: a case outside it is the not-found page.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError
from starlette.responses import Response

from backend.allocation import assignment
from backend.allocation.errors import OfficerUnavailable
from backend.cases import queries
from backend.cases import service as cases
from backend.cases.phases import Phase
from backend.cases.queries import CaseFilters, CaseSearch
from backend.cases.schemas import CaseSort, CaseSummary, PhaseCounts
from backend.console import forms, timeline
from backend.console.deps import Caller, CsrfChecked, SignedIn, console_state
from backend.console.routing import ConsoleRoute
from backend.console.templates import render, template_for
from backend.core.errors import ValidationFailed
from backend.core.pagination import Page
from backend.customers import privacy
from backend.customers import service as customers
from backend.drcs import service as drcs
from backend.users import service as users
from backend.users.models import Role, User
from backend.users.schemas import DRC_ID_PATTERN, Uid

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

PAGE_SIZE = 25
PHASE_VALUES = frozenset(phase.value for phase in Phase)
PHASES_TEXT = ", ".join(phase.value for phase in Phase)


class CaseListQuery(BaseModel):
    """The list's query string; no phase means the open cases, `all` every phase."""

    model_config = ConfigDict(extra="ignore")

    phase: str | None = None  # a Phase, or `all`
    officer: str | None = Field(default=None, min_length=1, max_length=64)
    drc: str | None = Field(default=None, pattern=DRC_ID_PATTERN)
    q: str | None = Field(default=None, min_length=1, max_length=64)
    sort: CaseSort = CaseSort.UPDATED
    cursor: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.:-]{1,128}$")

    @field_validator("phase")
    @classmethod
    def _known_phase(cls, value: str | None) -> str | None:
        # one check, so the problem names the field itself (a union would name its arms)
        if value is not None and value != "all" and value not in PHASE_VALUES:
            raise PydanticCustomError(
                "enum", "Input should be 'all' or one of: {phases}", {"phases": PHASES_TEXT}
            )
        return value

    def search(self, customer_ids: tuple[str, ...]) -> CaseSearch:
        phase = self.phase
        return CaseSearch(
            phases=[Phase(phase)] if phase in PHASE_VALUES else None,
            open_only=phase is None,
            drc_id=self.drc,
            ro_id=self.officer,
            text=self.q or "",
            customer_ids=customer_ids,
        )

    def link(self, **changes: str | None) -> str:
        """This list's URL with `changes`; `None` drops a parameter."""
        params = {**self.model_dump(mode="json", exclude_defaults=True), **changes}
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return "/console/cases" + (f"?{query}" if query else "")


async def _page_of(actor: User, query: CaseListQuery) -> Page[CaseSummary]:
    customer_ids = tuple(await customers.ids_with_phone_or_nic(query.q)) if query.q else ()
    return await queries.list_cases(
        actor=actor,
        filters=query.search(customer_ids),
        sort=query.sort,
        cursor=query.cursor,
        limit=PAGE_SIZE,
    )


async def _officers(drc_ids: set[str]) -> dict[str, str]:
    """Officers' names by uid, for the DRCs a page shows."""
    names: dict[str, str] = {}
    for drc_id in sorted(drc_ids):
        names |= {officer.id: officer.display_name for officer in await users.officers_of(drc_id)}
    return names


async def _choices(actor: User, query: CaseListQuery, page: Page[CaseSummary]) -> dict:
    """The filters' options and the names the rows show, as the caller's role allows."""
    if actor.role is Role.DRC_SUPERVISOR:
        scope = {actor.drc_id} if actor.drc_id else set()
        return {"officers": await _officers(scope), "drcs": {}, "officer_choices": True}
    shown = {case.drc_id for case in page.items if case.drc_id}
    if query.drc:
        shown.add(query.drc)
    drc_names = {drc.id: drc.name for drc in await drcs.list_for(actor=actor)}
    return {
        "officers": await _officers(shown),
        "drcs": drc_names,
        "officer_choices": query.drc is not None,
    }


async def _staff_names(drc_id: str | None) -> dict[str, str]:
    """Names of the DRC's officers and supervisors, for who recorded what on its case."""
    if drc_id is None:
        return {}
    supervisors = await users.supervisors_of(drc_id)
    return await _officers({drc_id}) | {s.id: s.display_name for s in supervisors}


# htmx asks for a part of the page: the polled results, or filters and results together.
_FRAGMENTS = {"case-results": "cases/_results.html", "case-page": "cases/_page.html"}
_STORY_FRAGMENTS = {"case-story": "cases/_story.html"}


def _counts_filters(query: CaseListQuery) -> CaseFilters:
    """The counts take the list's DRC and officer, as `GET /cases/counts` would; not its
    phase (each count is one), nor the search."""
    return CaseFilters(drc_id=query.drc, ro_id=query.officer)


async def _list_context(request: Request, caller: Caller, *, rows: bool = True) -> dict[str, Any]:
    """What the list page shows for the query string: rows and counts (unless `rows` is
    false: the assignment form alone), filters, choices."""
    problem: ValidationFailed | None = None
    counts: PhaseCounts | None = None
    page = Page[CaseSummary](items=[])
    try:
        query = forms.parse(CaseListQuery, forms.values(request.query_params))
        if rows:
            page = await _page_of(caller.user, query)
            counts = await queries.phase_counts(actor=caller.user, filters=_counts_filters(query))
    except ValidationFailed as exc:
        # the page shows what was typed, each field's problem beside it, and no rows
        problem = exc
        query = CaseListQuery.model_construct(**forms.values(request.query_params))
    choices = await _choices(caller.user, query, page)
    return {
        "status": problem.status if problem else 200,
        "query": query,
        "page": page,
        "counts": counts,
        "phases": list(Phase),
        "sorts": list(CaseSort),
        "problem": problem,
        "fields": forms.field_problems(problem),
        "refresh_seconds": console_state(request).settings.console.refresh_seconds,
        "list_query": request.url.query,
        # supervisors assign within their DRC, operator staff within the DRC they chose
        "can_assign": choices["officer_choices"] and problem is None,
        "assignment": None,
        "assigned_names": {},
        "assign_problem": None,
        "assign_fields": {},
        **choices,
    }


@router.get("/cases")
async def case_list(request: Request, caller: SignedIn) -> Response:
    """The caller's cases within reach: counts by phase, filters, search, keyset pages,
    bulk assignment, live refresh."""
    context = await _list_context(request, caller)
    return render(
        request,
        template_for(request, _FRAGMENTS, "cases/list.html"),
        session=caller.session,
        user=caller.user,
        **context,
    )


class BulkAssignForm(BaseModel):
    """Cases ticked in the list, the officer to give them to and, for operator staff, the
    DRC the list shows."""

    model_config = ConfigDict(extra="ignore")

    case_id: list[Annotated[str, Field(pattern=r"^[0-9a-f]{24}$")]] = Field(
        min_length=1, max_length=PAGE_SIZE
    )
    ro_id: Uid
    drc: str | None = Field(default=None, pattern=DRC_ID_PATTERN)


async def _assign(caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """The hand-over and its outcome, or the problem that refused all of it."""
    try:
        wanted = forms.parse(BulkAssignForm, data)
        done = await assignment.assign_many(
            actor=caller.user, drc_id=wanted.drc, case_ids=wanted.case_id, ro_id=wanted.ro_id
        )
    except OfficerUnavailable as exc:
        return {"assign_problem": exc, "assign_fields": {"ro_id": exc.detail}}
    except ValidationFailed as exc:
        return {"assign_problem": exc, "assign_fields": forms.field_problems(exc)}
    handed = await cases.within_reach(actor=caller.user, case_ids=wanted.case_id)
    return {"assignment": done, "assigned_names": {str(c.id): c.customer_name for c in handed}}


@router.post("/cases/assignment", dependencies=[CsrfChecked])
async def assign_cases(request: Request, caller: SignedIn) -> Response:
    """Give the ticked cases to one officer, as `POST /cases/{id}/assignment` does for
    each; a case out of reach is not found and nothing changes."""
    outcome = await _assign(caller, forms.values(await request.form(), lists=("case_id",)))
    htmx = request.headers.get("hx-request") == "true"
    context = await _list_context(request, caller, rows=not htmx)  # htmx refreshes the list
    status = outcome["assign_problem"].status if outcome.get("assign_problem") else 200
    response = render(
        request,
        "cases/_assign.html" if htmx else "cases/list.html",
        session=caller.session,
        user=caller.user,
        **{**context, **outcome, "status": status},
    )
    if "assignment" in outcome:
        response.headers["hx-trigger"] = "cases-changed"  # the list and counts refresh now
    return response


CaseId = Annotated[str, Path(min_length=1, max_length=64)]


@router.get("/cases/{case_id}")
async def case_detail(request: Request, case_id: CaseId, caller: SignedIn) -> Response:
    """One case, its full timeline (every domain's records) and a section per kind that
    needs one; a case outside the caller's reach is not found."""
    case = await cases.get_for(actor=caller.user, case_id=case_id)
    await privacy.record_pii_read(
        actor=caller.user, customer_id=case.customer_id, via="console.case", drc_id=case.drc_id
    )
    officer = await users.by_uid(case.ro_id) if case.ro_id else None
    return render(
        request,
        template_for(request, _STORY_FRAGMENTS, "cases/detail.html"),
        session=caller.session,
        user=caller.user,
        case=case,
        officer=officer,
        story=await timeline.story_of(actor=caller.user, case=case),
        names=await _staff_names(case.drc_id),
        kinds=timeline.KINDS,
        refresh_seconds=console_state(request).settings.console.refresh_seconds,
    )
