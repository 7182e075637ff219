"""A segment's champion/challenger report: per arm, the accounts, cure rate, amount
collected in 30, 60 and 90 days (each with its 95% interval), contacts and cost per
cure, through the service behind `/dunning/experiments/{id}`; operator staff promote
the challenger from it, as `POST /dunning/experiments/{id}/promote` does."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from backend.console import editing
from backend.console.deps import Caller, CsrfChecked
from backend.console.editing import OperatorCaller
from backend.console.queues import names_of
from backend.console.routing import ConsoleRoute
from backend.console.segments import SegmentId
from backend.core.errors import DomainError
from backend.dunning import experiments
from backend.dunning.errors import ExperimentNotFound
from backend.dunning.schemas import ExperimentRead
from backend.segments import service as segments

router = APIRouter(prefix="/console", route_class=ConsoleRoute, include_in_schema=False)

NOTICES = ("challenger_promoted",)


def href(segment_id: str) -> str:
    return f"/console/strategies/{segment_id}/experiment"


async def latest(segment_ids: list[str]) -> dict[str, ExperimentRead]:
    """Each segment's running (else last) experiment, for those that have had one."""
    found = {}
    for segment_id in segment_ids:
        try:
            found[segment_id] = await experiments.get_experiment(segment_id=segment_id)
        except ExperimentNotFound:
            continue
    return found


async def _page(
    request: Request, caller: Caller, segment_id: str, problem: DomainError | None = None
) -> Response:
    segment = await segments.get_segment(segment_id=segment_id)
    report = await experiments.report(segment_id=segment_id)
    trial = report.experiment
    return editing.list_page(
        request,
        caller,
        "experiments/report.html",
        notices=NOTICES,
        status=problem.status if problem else 200,
        problem=problem,
        segment=segment,
        report=report,
        action=f"{href(segment_id)}/promote",
        names=await names_of([trial.started_by, trial.ended_by]),
    )


@router.get("/strategies/{segment_id}/experiment")
async def experiment_report(
    request: Request, segment_id: SegmentId, caller: OperatorCaller
) -> Response:
    """The segment's running (else last) experiment, arm by arm."""
    return await _page(request, caller, segment_id)


@router.post("/strategies/{segment_id}/experiment/promote", dependencies=[CsrfChecked])
async def promote_challenger(
    request: Request, segment_id: SegmentId, caller: OperatorCaller
) -> Response:
    """The challenger's ladder becomes the champion's next version; the experiment ends."""
    await segments.get_segment(segment_id=segment_id)
    return await editing.save_or_show(
        lambda: experiments.promote(actor=caller.user, segment_id=segment_id),
        lambda p: _page(request, caller, segment_id, p),
        back=href(segment_id),
        notice="challenger_promoted",
    )
