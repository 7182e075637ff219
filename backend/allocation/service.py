"""Allocating pool cases to DRCs by the operator's rules, and recalling them to the pool
when their validity period ends.

A case no rule can place stays NEW; the reason is kept in its `AllocationAttempt`
(one per case, latest attempt), not on the case, so repeated runs do not churn the
case's version and history. A recalled case is re-allocated at once (unless switched
off) and, by default, never to the DRC it was just recalled from.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Literal, TypeVar

from backend.allocation import engine, repository
from backend.allocation.models import AllocationAttempt, AllocationRule, AttemptOutcome
from backend.allocation.schemas import AllocationSummary, CaseResult, RecallSummary
from backend.audit.service import Actor
from backend.cases import service as cases
from backend.cases.errors import CaseChanged
from backend.cases.models import Allocation, Case
from backend.cases.phases import RECALLABLE, Phase
from backend.core import clock, db
from backend.core.errors import Forbidden
from backend.core.logging import get_logger
from backend.drcs import service as drc_directory
from backend.drcs.models import Drc
from backend.notifications import service as notifications
from backend.users.models import User

log = get_logger("debtx.allocation")

T = TypeVar("T")
Bucket = Literal["allocated", "unallocated", "skipped"]

_TRIES = 5
_POOL_SCAN = 10_000  # pool ids read per run to choose which cases go first
_BUSY = "the case or its DRC kept changing during allocation; it stays in the pool"


class _Retry(Exception):
    """The plan went stale (a DRC filled up, the case changed): plan again."""


@dataclass
class _Context:
    """What one run decides with: rules, DRCs and their loads, kept current as it goes."""

    rules: list[AllocationRule]
    drcs: dict[str, Drc]
    held: dict[str, int]
    now: datetime


async def _context() -> _Context:
    rules = await repository.list_rules(include_inactive=False)
    drcs = {d.id: d for d in await drc_directory.list_all()}
    held = await cases.open_counts(field="drc_id", ids=list(drcs))
    return _Context(rules=rules, drcs=drcs, held=held, now=clock.now())


async def _retrying(attempt: Callable[[], Awaitable[T]]) -> T | None:
    """Run `attempt` again when it lost a race; None when it kept losing."""
    for n in range(_TRIES):
        try:
            return await attempt()
        except _Retry:
            continue  # re-plan at once with what the failed attempt learnt
        except (CaseChanged, db.WriteConflict):
            pass
        # the winner of a write conflict still has to commit: give it a moment
        await asyncio.sleep(random.uniform(0.01, 0.03) * 2**n)
    return None


async def allocate_cases(
    *, actor: Actor | None, case_ids: list[str], exclude_previous: bool = True
) -> AllocationSummary:
    """Try to place each listed case that is still in the pool; report each outcome."""
    ctx = await _context()
    summary = AllocationSummary()
    for case_id in dict.fromkeys(case_ids):
        outcome = await _retrying(partial(_allocate_one, ctx, actor, case_id, exclude_previous))
        bucket, result = outcome or ("skipped", CaseResult(case_id=case_id, reason=_BUSY))
        getattr(summary, bucket).append(result)
    log.info(
        "allocation.run.done",
        allocated=len(summary.allocated),
        unallocated=len(summary.unallocated),
        skipped=len(summary.skipped),
    )
    return summary


async def allocate_pool(
    *, actor: Actor | None, limit: int, exclude_previous: bool = True
) -> AllocationSummary:
    """Allocate up to `limit` NEW cases: never-tried ones first, then the longest untried,
    so cases no rule can place do not hold the others back."""
    ids = await cases.pool_ids(limit=_POOL_SCAN)
    tried = await repository.attempts_for(ids)
    never = datetime.min.replace(tzinfo=UTC)
    ids.sort(key=lambda i: (tried[i].at if i in tried else never, i))
    summary = await allocate_cases(
        actor=actor, case_ids=ids[:limit], exclude_previous=exclude_previous
    )
    summary.remaining = max(len(ids) - limit, 0)
    return summary


async def _allocate_one(
    ctx: _Context, actor: Actor | None, case_id: str, exclude_previous: bool
) -> tuple[Bucket, CaseResult]:
    case = await cases.get_unscoped(case_id)
    if case is None or case.phase is not Phase.NEW:
        reason = "no such case" if case is None else f"the case is {case.phase.value}, not new"
        return "skipped", CaseResult(case_id=case_id, reason=reason)
    attempt = await repository.get_attempt(case_id) if exclude_previous else None
    decision = engine.decide(
        ctx.rules,
        case,
        ctx.drcs,
        ctx.held,
        now=ctx.now,
        recalled_from=attempt.recalled_from if attempt else None,
    )
    rule_id = str(decision.rule.id) if decision.rule else None
    if decision.drc is None:
        await repository.record_attempt(
            case_id,
            outcome=AttemptOutcome.UNALLOCATED,
            reason=decision.reason,
            rule_id=rule_id,
            drc_id=None,
            ranking=[],
        )
        return "unallocated", CaseResult(case_id=case_id, rule_id=rule_id, reason=decision.reason)
    await _commit(ctx, actor, case, decision)
    return "allocated", CaseResult(
        case_id=case_id, drc_id=decision.drc.id, rule_id=rule_id, reason=decision.reason
    )


async def _commit(
    ctx: _Context, actor: Actor | None, case: Case, decision: engine.Decision
) -> None:
    """NEW -> ALLOCATED, re-checking the DRC's capacity inside the transaction."""
    drc, rule = decision.drc, decision.rule
    assert drc is not None and rule is not None
    async with db.transaction() as session:
        counts = await cases.open_counts(field="drc_id", ids=[drc.id], session=session)
        if counts.get(drc.id, 0) >= drc.capacity:
            ctx.held[drc.id] = counts.get(drc.id, 0)
            raise _Retry()
        await repository.take_slot(drc.id, session=session)
        await cases.move(
            actor=actor,
            case=case,
            to=Phase.ALLOCATED,
            action="case.allocate",
            changes={
                "drc_id": drc.id,
                "allocation": Allocation(
                    rule_id=str(rule.id), drc_id=drc.id, reason=decision.reason
                ),
                "validity_until": clock.now() + timedelta(days=rule.validity_days),
            },
            note=f'Allocated to {drc.id} by rule "{rule.name}"',
            session=session,
        )
        await repository.record_attempt(
            str(case.id),
            outcome=AttemptOutcome.ALLOCATED,
            reason=decision.reason,
            rule_id=str(rule.id),
            drc_id=drc.id,
            ranking=decision.ranking,
            session=session,
        )
    ctx.held[drc.id] = ctx.held.get(drc.id, 0) + 1


async def recall_expired(
    *,
    actor: Actor | None,
    limit: int,
    reallocate: bool = True,
    exclude_previous: bool = True,
    now: datetime | None = None,
) -> RecallSummary:
    """Recall cases held past their validity period, then (optionally) re-allocate them."""
    now = now or clock.now()
    summary = await recall_cases(
        actor=actor, case_ids=await cases.expired_ids(now=now, limit=limit), now=now
    )
    if reallocate and summary.recalled:
        summary.reallocation = await allocate_cases(
            actor=actor,
            case_ids=[r.case_id for r in summary.recalled],
            exclude_previous=exclude_previous,
        )
    return summary


async def recall_cases(*, actor: Actor | None, case_ids: list[str], now: datetime) -> RecallSummary:
    """Recall the listed cases whose validity period has ended by `now`, and only those."""
    summary = RecallSummary()
    for case_id in dict.fromkeys(case_ids):
        outcome = await _retrying(partial(_recall_one, actor, case_id, now))
        recalled, result = outcome or (False, CaseResult(case_id=case_id, reason=_BUSY))
        (summary.recalled if recalled else summary.skipped).append(result)
    log.info("allocation.recall.done", recalled=len(summary.recalled), skipped=len(summary.skipped))
    return summary


def _not_recallable(case: Case | None, now: datetime) -> str | None:
    if case is None:
        return "no such case"
    if case.phase not in RECALLABLE:
        return f"the case is {case.phase.value}; its validity period does not run"
    if case.validity_until is None or case.validity_until > now:
        return "the validity period has not ended (it may have been extended)"
    return None


async def _recall_one(actor: Actor | None, case_id: str, now: datetime) -> tuple[bool, CaseResult]:
    async with db.transaction() as session:
        # Read here, not from the list: an extension approved meanwhile moved the date.
        case = await cases.get_unscoped(case_id, session=session)
        why = _not_recallable(case, now)
        if why is not None or case is None:
            return False, CaseResult(case_id=case_id, reason=why or "no such case")
        drc_id, until = case.drc_id, case.validity_until
        note = f"Validity period ended {until:%Y-%m-%d %H:%M} UTC; recalled from {drc_id}"
        previous = case.ro_id
        case = await cases.move(
            actor=actor,
            case=case,
            to=Phase.NEW,
            action="case.recall",
            changes={"drc_id": None, "ro_id": None, "allocation": None, "validity_until": None},
            note=note,
            session=session,
        )
        await repository.note_recall(case_id, drc_id, reason=note, session=session)
        pending = await notifications.case_changed_hands(
            actor=actor, case=case, previous_ro_id=previous, session=session
        )
    await notifications.dispatch(pending)
    return True, CaseResult(case_id=case_id, drc_id=drc_id, reason=note)


async def attempts(
    *,
    actor: User,
    outcome: AttemptOutcome | None,
    case_id: str | None,
    before: tuple[datetime, str] | None,
    limit: int,
) -> list[AllocationAttempt]:
    """The latest attempt per case, newest first (operator staff)."""
    if not actor.is_operator:
        raise Forbidden("Only operator staff read allocation attempts")
    return await repository.list_attempts(
        outcome=outcome, case_id=case_id, before=before, limit=limit
    )
