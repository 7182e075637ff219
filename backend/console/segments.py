"""The segments accounts in arrears are placed in: their order and rules, through the
service behind `/segments`. Operator staff create, change and reorder them; a rule
refused shows its problem beside the field and nothing is stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from backend.console import editing, forms
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import OperatorCaller
from backend.console.routing import ConsoleRoute
from backend.core.errors import DomainError
from backend.core.settings import get_settings
from backend.segments import service as segments
from backend.segments.models import SegmentRules
from backend.segments.schemas import (
    SegmentCreate,
    SegmentOrder,
    SegmentPath,
    SegmentRead,
    SegmentUpdate,
)

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

HOME = "/console/segments"
SegmentId = SegmentPath
NOTICES = ("segment_created", "segment_updated", "segments_reordered")
COUNTS = ("days_past_due_min", "days_past_due_max", "payments_max", "promises_broken_min")
LISTS = ("regions", "product_types", "customer_groups", "risk_bands")
BOUNDS = ("balance_min", "balance_max")


def currencies() -> list[str]:
    return get_settings().intake.currencies


def where() -> dict[str, str]:
    """The API's rule paths as the form names them (`rules.regions` is `regions`)."""
    found = {f"rules.{name}": name for name in (*COUNTS, *LISTS)}
    for bound in BOUNDS:
        found |= {f"rules.{bound}.{c}": f"{bound}.{c}" for c in currencies()}
    return found


def _words(text: str) -> list[str]:
    return [word.strip() for word in text.split(",") if word.strip()]


class RulesForm(BaseModel):
    """The rules as typed: balances in major units per currency, lists by commas."""

    model_config = ConfigDict(extra="forbid")

    balance_min: dict[str, forms.Amount] = {}
    balance_max: dict[str, forms.Amount] = {}
    days_past_due_min: int | None = None
    days_past_due_max: int | None = None
    payments_max: int | None = None
    promises_broken_min: int | None = None
    regions: str = ""
    product_types: str = ""
    customer_groups: str = ""
    risk_bands: str = ""

    def rules(self) -> dict[str, Any]:
        """The API's `rules` body."""
        return {
            **{bound: forms.minor(getattr(self, bound)) for bound in BOUNDS},
            **{name: getattr(self, name) for name in COUNTS},
            **{name: _words(getattr(self, name)) for name in LISTS},
        }


def _body(values: dict[str, Any], *, new: bool) -> dict[str, Any]:
    """The API's body for the form: `id` and `name` as typed, the rules converted."""
    fields = forms.nested(values)
    kept: dict[str, Any] = {k: fields.pop(k) for k in ("id", "name") if k in fields}
    if not new:
        kept.pop("id", None)
    return {**kept, "rules": forms.parse(RulesForm, fields).rules()}


def values_of(segment: SegmentRead) -> dict[str, Any]:
    """A stored segment as its form shows it."""
    rules: SegmentRules = segment.rules
    found: dict[str, Any] = {"id": segment.id, "name": segment.name}
    for bound in BOUNDS:
        found |= {f"{bound}.{c}": forms.major(a) for c, a in getattr(rules, bound).items()}
    found |= {n: "" if getattr(rules, n) is None else str(getattr(rules, n)) for n in COUNTS}
    return found | {name: ", ".join(getattr(rules, name)) for name in LISTS}


def _page(
    request: Request,
    caller: Caller,
    values: dict[str, Any],
    of: str | None = None,
    problem: DomainError | None = None,
) -> Response:
    form = editing.Form("segments/_fields.html", back=HOME, labels="segments", where=where())
    return form.page(
        request, caller, values, of=of, problem=problem, currencies=currencies(), new=of is None
    )


@router.get("/segments")
async def segment_list(request: Request, caller: OperatorCaller) -> Response:
    """Every segment in the order accounts are tried against them, with its rules."""
    return editing.list_page(
        request,
        caller,
        "segments/list.html",
        notices=NOTICES,
        segments=await segments.list_segments(),
    )


@router.get("/segments/new")
async def new_segment(request: Request, caller: OperatorCaller) -> Response:
    """An empty segment, tried after every other one."""
    return _page(request, caller, {})


@router.post("/segments/new", dependencies=[CsrfChecked])
async def create_segment(request: Request, caller: OperatorCaller) -> Response:
    """Add the segment as `POST /segments` does; a refused rule names its field."""
    values = await editing.posted(request)

    async def save() -> None:
        data = forms.parse(SegmentCreate, _body(values, new=True))
        await segments.create_segment(actor=caller.user, data=data)

    return await editing.save_or_show(
        save,
        lambda p: _page(request, caller, values, problem=p),
        back=HOME,
        notice="segment_created",
    )


@router.get("/segments/{segment_id}")
async def edit_segment(request: Request, segment_id: SegmentId, caller: OperatorCaller) -> Response:
    """The segment's form with its rules as they are."""
    found = await segments.get_segment(segment_id=segment_id)
    return _page(request, caller, values_of(found), segment_id)


@router.post("/segments/{segment_id}", dependencies=[CsrfChecked])
async def update_segment(
    request: Request, segment_id: SegmentId, caller: OperatorCaller
) -> Response:
    """New name and rules, as `PUT /segments/{id}` does; its version goes up."""
    await segments.get_segment(segment_id=segment_id)
    values = await editing.posted(request)

    async def save() -> None:
        data = forms.parse(SegmentUpdate, _body(values, new=False))
        await segments.update_segment(actor=caller.user, segment_id=segment_id, data=data)

    return await editing.save_or_show(
        save,
        lambda p: _page(request, caller, values, segment_id, p),
        back=HOME,
        notice="segment_updated",
    )


@router.post("/segments/{segment_id}/move", dependencies=[CsrfChecked])
async def move_segment(request: Request, segment_id: SegmentId, caller: OperatorCaller) -> Response:
    """One place earlier or later, as `PUT /segments/order` with the new order."""
    await segments.get_segment(segment_id=segment_id)
    order = [s.id for s in await segments.list_segments()]
    if (changed := await editing.moved(request, order, segment_id)) is not None:
        await segments.reorder(actor=caller.user, data=SegmentOrder(ids=changed))
    return editing.saved(HOME, "segments_reordered")
