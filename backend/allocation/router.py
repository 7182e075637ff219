from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, status

from backend.allocation import assignment, rules, service
from backend.allocation.models import AllocationRule, AttemptOutcome
from backend.allocation.schemas import (
    AllocationSummary,
    AssignmentCreate,
    AttemptRead,
    BatchRequest,
    DistributeRequest,
    DistributionSummary,
    RecallSummary,
    RuleCreate,
    RuleOrder,
    RuleRead,
    RuleUpdate,
)
from backend.auth.deps import CurrentUser, OperatorAdmin, OperatorStaff, StaffWithTeams
from backend.cases.deps import CaseForCaller
from backend.cases.schemas import CaseRead
from backend.core.pagination import Cursor, InvalidCursor, Limit, Page, decode_keyset, encode_keyset
from backend.core.settings import AllocationSettings

router = APIRouter(tags=["allocation"])

RuleId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Allocation rule id")]


def _config(request: Request) -> AllocationSettings:
    return request.app.state.settings.allocation


Config = Annotated[AllocationSettings, Depends(_config)]


def _read(rule: AllocationRule) -> RuleRead:
    return RuleRead.model_validate({**rule.model_dump(), "id": str(rule.id)})


@router.get("/allocation/rules", summary="List allocation rules")
async def list_rules(actor: OperatorStaff, include_inactive: bool = False) -> list[RuleRead]:
    """In the order the engine tries them (priority, then age); inactive ones on request."""
    found = await rules.list_rules(actor=actor, include_inactive=include_inactive)
    return [_read(r) for r in found]


@router.post("/allocation/rules", status_code=status.HTTP_201_CREATED, summary="Add a rule")
async def create_rule(actor: OperatorAdmin, body: RuleCreate) -> RuleRead:
    """Operator admins only; applies from the next allocation."""
    return _read(await rules.create_rule(actor=actor, data=body))


@router.put("/allocation/rule-order", summary="Reorder the rules")
async def reorder_rules(actor: OperatorAdmin, body: RuleOrder) -> list[RuleRead]:
    """Operator admins only; every rule once, first tried first (priorities 10, 20, …)."""
    return [_read(r) for r in await rules.reorder_rules(actor=actor, rule_ids=body.rule_ids)]


@router.get("/allocation/rules/{rule_id}", summary="One allocation rule")
async def get_rule(actor: OperatorStaff, rule_id: RuleId) -> RuleRead:
    """Active or not."""
    return _read(await rules.get_rule(actor=actor, rule_id=rule_id))


@router.patch("/allocation/rules/{rule_id}", summary="Change a rule")
async def update_rule(actor: OperatorAdmin, rule_id: RuleId, body: RuleUpdate) -> RuleRead:
    """Operator admins only; conditions merge one by one, null clears one."""
    return _read(await rules.update_rule(actor=actor, rule_id=rule_id, data=body))


@router.delete("/allocation/rules/{rule_id}", summary="Deactivate a rule")
async def delete_rule(actor: OperatorAdmin, rule_id: RuleId) -> RuleRead:
    """The rule stops matching but stays on record; PATCH `active: true` revives it."""
    return _read(await rules.deactivate_rule(actor=actor, rule_id=rule_id))


@router.post("/allocation/run", summary="Allocate the pool now")
async def run_allocation(
    actor: OperatorStaff, config: Config, body: BatchRequest | None = None
) -> AllocationSummary:
    """Allocate NEW cases (a bounded batch; never-tried first) and say what became of each."""
    limit = body.limit if body and body.limit else config.batch_size
    return await service.allocate_pool(
        actor=actor, limit=limit, exclude_previous=config.exclude_previous_drc
    )


@router.post("/allocation/recall", summary="Recall expired cases now")
async def recall(
    actor: OperatorStaff, config: Config, body: BatchRequest | None = None
) -> RecallSummary:
    """Return cases held past their validity period to the pool, then re-allocate them."""
    return await service.recall_expired(
        actor=actor,
        limit=body.limit if body and body.limit else config.batch_size,
        reallocate=config.reallocate_on_recall,
        exclude_previous=config.exclude_previous_drc,
    )


@router.get("/allocation/attempts", summary="Latest allocation attempt per case")
async def list_attempts(
    actor: OperatorStaff,
    outcome: AttemptOutcome | None = None,
    case_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{24}$")] = None,
    cursor: Cursor = None,
    limit: Limit = 50,
) -> Page[AttemptRead]:
    """Why cases are still in the pool (`outcome=unallocated`), or which rule placed them."""
    rows = await service.attempts(
        actor=actor, outcome=outcome, case_id=case_id, before=_position(cursor), limit=limit + 1
    )
    page = rows[:limit]
    next_cursor = encode_keyset(page[-1].at.isoformat(), page[-1].id) if len(rows) > limit else None
    return Page(items=[AttemptRead.model_validate(r) for r in page], next_cursor=next_cursor)


def _position(cursor: str | None) -> tuple[datetime, str] | None:
    values = decode_keyset(cursor, 2)
    if values is None:
        return None
    try:
        return datetime.fromisoformat(values[0]), str(values[1])
    except (TypeError, ValueError) as exc:
        raise InvalidCursor("cursor is not one this API issued") from exc


@router.post("/allocation/assign", summary="Distribute a DRC's cases to its officers")
async def distribute(
    actor: StaffWithTeams, config: Config, body: DistributeRequest | None = None
) -> DistributionSummary:
    """By the DRC's assignment preference; supervisors their own DRC, operators name one."""
    body = body or DistributeRequest()
    return await assignment.distribute(
        actor=actor, drc_id=body.drc_id, limit=body.limit or config.batch_size
    )


@router.post("/cases/{case_id}/assignment", summary="Assign or reassign a case")
async def assign_case(case: CaseForCaller, actor: CurrentUser, body: AssignmentCreate) -> CaseRead:
    """Hand an allocated case to an officer of its DRC, or move it to another one."""
    return await assignment.assign(actor=actor, case=case, data=body)


@router.delete("/cases/{case_id}/assignment", summary="Unassign a case")
async def unassign_case(case: CaseForCaller, actor: CurrentUser) -> CaseRead:
    """Take an assigned case back from its officer; the DRC keeps it."""
    return await assignment.unassign(actor=actor, case=case)
