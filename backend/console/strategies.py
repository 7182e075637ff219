"""Each segment's dunning strategy: its ladder of steps and the versions it has had,
through the service behind `/dunning/strategies`. Operator staff change the steps (kind,
conditions, channels, template, wait); each save is a new version, and a refused step
shows its problem beside the field with nothing stored."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, ConfigDict
from starlette.responses import Response

from backend.console import editing, experiments, forms
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import OperatorCaller
from backend.console.queues import names_of
from backend.console.routing import ConsoleRoute
from backend.console.segments import SegmentId, currencies
from backend.core.errors import DomainError
from backend.dunning import strategies
from backend.dunning.errors import StrategyNotFound
from backend.dunning.models import StepKind
from backend.dunning.schemas import StrategyCreate, StrategyRead, StrategyUpdate
from backend.notifications.models import CUSTOMER_CHANNELS, TemplateKey
from backend.segments import service as segments

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

HOME = "/console/strategies"
NOTICES = ("strategy_saved",)
MAX_STEPS = 20
SPARE_ROWS = 2  # empty rows under the ladder's steps, for steps to add
CHANNELS = [f"steps.{i}.channels" for i in range(MAX_STEPS)]
NUMBERS = ("min_days_past_due", "no_response_days", "wait_days")


class StepForm(BaseModel):
    """One step as typed: numbers as text, its minimum balance in major units; the rest
    as the API takes it."""

    model_config = ConfigDict(extra="allow")

    min_balance: dict[str, forms.Amount] = {}
    min_days_past_due: int | None = None
    no_response_days: int | None = None
    wait_days: int | None = None

    def body(self) -> dict[str, Any]:
        """The API's step: the numbers given, the balance in minor units."""
        numbers = self.model_dump(include=set(NUMBERS), exclude_none=True)
        balance = forms.minor(self.min_balance)
        return {**(self.model_extra or {}), **numbers, "min_balance": balance}


class LadderForm(BaseModel):
    name: str | None = None
    steps: list[StepForm] = []


def _blank(row: dict[str, Any]) -> bool:
    return not any(value for name, value in row.items() if name != "min_balance") and not any(
        (row.get("min_balance") or {}).values()
    )


def _body(values: dict[str, Any]) -> dict[str, Any]:
    """The API's body: rows left empty at the end dropped, amounts in minor units."""
    fields = forms.nested(values)
    rows = list(fields.get("steps") or [])
    while rows and _blank(rows[-1]):
        rows.pop()
    ladder = forms.parse(LadderForm, {**fields, "steps": rows})
    return {"name": ladder.name, "steps": [step.body() for step in ladder.steps]}


def _text(number: int | None) -> str:
    return "" if number is None else str(number)


def values_of(strategy: StrategyRead) -> dict[str, Any]:
    """A stored ladder as its form shows it, one row per step."""
    found: dict[str, Any] = {"name": strategy.name}
    for i, step in enumerate(strategy.steps):
        at = f"steps.{i}"
        found |= {
            f"{at}.key": step.key,
            f"{at}.kind": step.kind.value,
            f"{at}.min_days_past_due": str(step.min_days_past_due),
            f"{at}.no_response_days": ""
            if step.no_response_days is None
            else str(step.no_response_days),
            f"{at}.channels": [c.value for c in step.channels],
            f"{at}.template": step.template.value if step.template else "",
            f"{at}.wait_days": str(step.wait_days),
        }
        found |= {f"{at}.min_balance.{c}": forms.major(a) for c, a in step.min_balance.items()}
    return found


def _rows_used(values: dict[str, Any]) -> int:
    """How many step rows the values fill, up to the last one with anything in it."""
    used = [
        int(name.split(".")[1])
        for name, value in values.items()
        if name.startswith("steps.") and value
    ]
    return max(used, default=-1) + 1


async def _current(segment_id: str) -> StrategyRead | None:
    try:
        return await strategies.get_strategy(strategy_id=segment_id)
    except StrategyNotFound:
        return None


async def _page(
    request: Request,
    caller: Caller,
    segment_id: str,
    values: dict[str, Any] | None = None,
    problem: DomainError | None = None,
) -> Response:
    """The ladder's form (what was typed, or what is stored) and its versions."""
    segment = await segments.get_segment(segment_id=segment_id)
    current = await _current(segment_id)
    if values is None:
        values = values_of(current) if current else {"name": segment.name}
    versions = await strategies.list_versions(strategy_id=segment_id) if current else []
    form = editing.Form(
        "strategies/_fields.html",
        back=HOME,
        labels="strategies",
        template="strategies/edit.html",
    )
    return form.page(
        request,
        caller,
        values,
        of=segment_id,
        problem=problem,
        segment=segment,
        current=current,
        versions=versions,
        names=await names_of([v.created_by for v in versions]),
        rows=range(min(_rows_used(values) + SPARE_ROWS, MAX_STEPS)),
        currencies=currencies(),
        kinds=list(StepKind),
        channels=list(CUSTOMER_CHANNELS),
        templates=list(TemplateKey),
    )


@router.get("/strategies")
async def strategy_list(request: Request, caller: OperatorCaller) -> Response:
    """Each segment, in order, with its strategy's current steps."""
    found = {s.segment_id: s for s in await strategies.list_strategies()}
    listed = await segments.list_segments()
    return editing.list_page(
        request,
        caller,
        "strategies/list.html",
        notices=NOTICES,
        segments=listed,
        strategies=found,
        experiments=await experiments.latest([s.id for s in listed]),
    )


@router.get("/strategies/{segment_id}")
async def edit_strategy(
    request: Request, segment_id: SegmentId, caller: OperatorCaller
) -> Response:
    """The segment's ladder, step by step, and every version it has had."""
    return await _page(request, caller, segment_id)


@router.post("/strategies/{segment_id}", dependencies=[CsrfChecked])
async def save_strategy(
    request: Request, segment_id: SegmentId, caller: OperatorCaller
) -> Response:
    """A new version, as `PUT /dunning/strategies/{id}` stores it (the first, as `POST`)."""
    await segments.get_segment(segment_id=segment_id)
    values = await editing.posted(request, lists=CHANNELS)

    async def save() -> None:
        body = _body(values)
        if await _current(segment_id) is None:
            data = forms.parse(StrategyCreate, {**body, "segment_id": segment_id})
            await strategies.create_strategy(actor=caller.user, data=data)
        else:
            update = forms.parse(StrategyUpdate, body)
            await strategies.update_strategy(actor=caller.user, strategy_id=segment_id, data=update)

    return await editing.save_or_show(
        save,
        lambda p: _page(request, caller, segment_id, values, p),
        back=HOME,
        notice="strategy_saved",
    )
