"""Dunning as other domains and the API use it: evaluations (one account, a chunk, or
every account in chunks), the customer's answers, manual overrides and reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any

from backend.audit import service as audit
from backend.core import clock, db
from backend.core.settings import get_settings
from backend.customers import service as customers
from backend.dunning import repository, standing
from backend.dunning.errors import (
    AccountNotInDunning,
    NotHeld,
    StepUnknown,
)
from backend.dunning.evaluation import Context, Result, evaluate, ledger_entry
from backend.dunning.models import (
    Hold,
    Ladder,
    Outcome,
    Standing,
)
from backend.dunning.schemas import (
    EvaluationSummary,
    LadderOverride,
    LadderRead,
    LedgerEntryRead,
    StandingRead,
)
from backend.notifications.models import Channel
from backend.users.models import User
from backend.worker.dispatch import enqueue

CHUNK_TASK = "dunning.evaluate_chunk"

_COUNTED = {
    Result.TAKEN: "steps_taken",
    Result.CLEARED: "cleared",
    Result.HELD: "held",
    Result.ESCALATED: "escalated",
}


# --------------------------------------------------------------------------- evaluation


async def evaluate_accounts(
    account_ids: list[str], *, now: datetime | None = None
) -> EvaluationSummary:
    """Evaluate these accounts, one after the other, with one read of the configuration
    and of the accounts' documents (the chunk's accounts, customers, cases, standings)."""
    context = await Context.load(now or clock.now())
    summary = EvaluationSummary()
    async with standing.read_ahead(account_ids), repository.standings_ahead(account_ids):
        for account_id in account_ids:
            result = await evaluate(account_id, context)
            summary.evaluated += result != Result.GONE
            if result in _COUNTED:
                name = _COUNTED[result]
                setattr(summary, name, getattr(summary, name) + 1)
    return summary


Send = Callable[[list[str]], Awaitable[Any]]


async def _enqueue_chunk(account_ids: list[str]) -> None:
    await enqueue(CHUNK_TASK, account_ids=account_ids)


async def evaluate_all(*, chunk_size: int | None = None, send: Send | None = None) -> int:
    """Hand every account to `send` (by default a `dunning.evaluate_chunk` task) in chunks
    of ids, walking the ids in order in one pass so memory stays bounded; returns the
    chunk count."""
    size = chunk_size or get_settings().dunning.chunk_size
    send = send or _enqueue_chunk
    chunks = 0
    async for ids in customers.account_id_batches(size=size):
        await send(ids)
        chunks += 1
    return chunks


# --------------------------------------------------------------------------- answers


async def response_received(
    *, account_id: str, channel: Channel | str, intent: str, at: datetime, promised_on: date | None
) -> LadderRead:
    """The customer answered: a promise holds the ladder until the promised day, a
    dispute holds it until staff release it, and anything else restarts the wait."""
    async with db.transaction() as session:
        ladder = await repository.ladder(account_id, session=session)
        if ladder is None:
            raise AccountNotInDunning(f"Account {account_id} is not on a dunning ladder")
        ladder.last_response_at = max(at, ladder.last_response_at or at)
        ladder.last_intent = intent
        if intent == "promise" and promised_on is not None:
            ladder.hold = Hold.PROMISE
            ladder.promised_on = datetime.combine(promised_on, time(), tzinfo=UTC)
            ladder.hold_reason = f"promised to pay by {promised_on.isoformat()} ({channel})"
        elif intent == "dispute":
            ladder.hold, ladder.hold_reason = Hold.CONTESTED, f"disputed in a reply ({channel})"
        ladder.updated_at = clock.now()
        await repository.save_ladder(ladder, session=session)
    return await _ladder_read(ladder)


# --------------------------------------------------------------------------- overrides


async def override_ladder(*, actor: User, account_id: str, data: LadderOverride) -> LadderRead:
    """Skip the ladder to a step, hold it, or release a hold; audited with the reason."""
    async with db.transaction() as session:
        ladder = await repository.ladder(account_id, session=session)
        if ladder is None:
            raise AccountNotInDunning(f"Account {account_id} is not on a dunning ladder")
        before = _audited(ladder)
        if data.action == "hold":
            ladder.hold, ladder.hold_reason = Hold.MANUAL, data.reason
        elif data.action == "release":
            if ladder.hold is None:
                raise NotHeld(f"The ladder of {account_id} is not held")
            ladder.hold = ladder.hold_reason = ladder.promised_on = None
        else:
            await _skip_to(actor, ladder, data, session)
        ladder.updated_at = clock.now()
        await repository.save_ladder(ladder, session=session)
        await audit.record(
            actor=actor,
            action=f"dunning.{data.action}",
            entity_type="account",
            entity_id=account_id,
            before=before,
            after={**_audited(ladder), "reason": data.reason},
            session=session,
        )
    return await _ladder_read(ladder)


def _audited(ladder: Ladder) -> dict[str, Any]:
    return {"next_step": ladder.next_step, "hold": ladder.hold, "cycle": ladder.cycle}


async def _skip_to(actor: User, ladder: Ladder, data: LadderOverride, session) -> None:
    """Steps passed over are written as skipped, so this cycle never takes them."""
    strategy = await repository.strategy(ladder.strategy_id or "", session=session)
    keys = [s.key for s in strategy.steps] if strategy else []
    if strategy is None or data.step not in keys:
        raise StepUnknown.on("step", f"No step {data.step!r} on the account's ladder")
    target = keys.index(data.step)
    if target < ladder.next_step:  # a step is taken once a cycle: the ladder only goes up
        raise StepUnknown.on("step", f"Step {data.step!r} is behind the ladder's place")
    taken = await repository.taken_keys(ladder.id, ladder.cycle, session=session)
    skipped = [
        ledger_entry(
            ladder, strategy, step, Outcome.SKIPPED, clock.now(), by=actor.id, note=data.reason
        )
        for step in strategy.steps[ladder.next_step : target]
        if step.key not in taken
    ]
    if skipped:
        await repository.insert_entries(skipped, session=session)
    ladder.next_step, ladder.completed = target, False
    ladder.last_step_at = None  # the chosen step is due at the next evaluation
    ladder.last_response_at = None


# --------------------------------------------------------------------------- reads


async def _ladder_read(ladder: Ladder) -> LadderRead:
    strategy = await repository.strategy(ladder.strategy_id) if ladder.strategy_id else None
    steps = strategy.steps if strategy else []
    upcoming = steps[ladder.next_step].key if ladder.next_step < len(steps) else None
    promised = ladder.promised_on.date() if ladder.promised_on else None
    return LadderRead.model_validate(
        {**ladder.model_dump(), "next_step": upcoming, "promised_on": promised}
    )


def _standing_read(found: Standing, ladder: LadderRead | None) -> StandingRead:
    return StandingRead.model_validate(
        {**found.model_dump(), "account_id": found.id, "ladder": ladder}
    )


async def get_standing(*, account_id: str) -> StandingRead:
    """The account's standing, segment and place on its ladder."""
    found = await repository.standing(account_id)
    if found is None:
        raise AccountNotInDunning(f"Account {account_id} has not been evaluated")
    ladder = await repository.ladder(account_id)
    current = (
        ladder if ladder is not None and found.overdue and ladder.cycle == found.cycle else None
    )
    return _standing_read(found, await _ladder_read(current) if current else None)


async def ledger_of(*, account_id: str) -> list[LedgerEntryRead]:
    """Every step taken for the account, oldest first, with the strategy version."""
    if await repository.standing(account_id) is None:
        raise AccountNotInDunning(f"Account {account_id} has not been evaluated")
    return [
        LedgerEntryRead.model_validate({**e.model_dump(), "id": str(e.id)})
        for e in await repository.ledger(account_id)
    ]


async def segment_outcomes(*, since: datetime, until: datetime) -> list[dict[str, Any]]:
    """Per segment (`_id`; None: no segment): accounts, overdue, arranged, and cleared in
    [since, until)."""
    return await repository.segment_outcomes(since=since, until=until)


async def customers_overdue(customer_ids: list[str]) -> set[str]:
    """Those of these customers in dunning now: retention leaves their details alone."""
    return await repository.customers_overdue(customer_ids)
