"""Evaluating one account: read its standing, place it in a segment, and take the next
step of its segment's ladder when the step is due.

Idempotent: a step is claimed by its ledger entry, unique per account, cycle and step,
in the same transaction as its message and the ladder's move; a second evaluation finds
it taken and does nothing. A cycle starts when an account becomes overdue and ends when
it is paid (nothing owed) or brought under an arrangement (a settlement on its case).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from backend.core import db
from backend.core.logging import get_logger
from backend.core.money import Money
from backend.dunning import handoff, repository, standing
from backend.dunning.experiments import Running, running_experiments, strategy_for
from backend.dunning.models import (
    MESSAGE_KINDS,
    Hold,
    Ladder,
    LedgerEntry,
    Outcome,
    Standing,
    Step,
    StepKind,
    Strategy,
)
from backend.notifications import service as notifications
from backend.oss import service as oss
from backend.segments import service as segments
from backend.segments.models import Segment
from backend.worklist import service as worklist
from backend.worklist.models import WorkKind

log = get_logger("debtx.dunning")


class Result:
    """What an evaluation did to one account (a stable word)."""

    GONE = "gone"
    CLEAR = "clear"
    CLEARED = "cleared"
    HELD = "held"
    WAITING = "waiting"
    NO_STRATEGY = "no_strategy"
    TAKEN = "taken"
    ESCALATED = "escalated"


@dataclass
class Context:
    """What one pass shares between accounts: the time, the segments and strategies."""

    now: datetime
    segments: list[Segment]
    strategies: dict[str, Strategy]
    experiments: dict[str, Running] = field(default_factory=dict)  # running, by segment

    @classmethod
    async def load(cls, now: datetime) -> Context:
        return cls(
            now=now,
            segments=await segments.all_segments(),
            strategies={s.id: s for s in await repository.strategies()},
            experiments=await running_experiments(),
        )


async def evaluate(account_id: str, context: Context) -> str:
    """Bring one account's standing and ladder up to date; take at most one step."""
    now = context.now
    before = await repository.standing(account_id)
    seen = before.overdue_since if before is not None and before.overdue else None
    reading = await standing.read(account_id, now=now, seen_since=seen)
    if reading is None:
        return Result.GONE
    if not reading.owes or reading.under_arrangement:
        return await _clear(before, reading, now)
    cycle = before.cycle if before is not None and before.overdue else _next_cycle(before)
    placed = await segments.assign(facts=reading.facts, segments=context.segments)
    await repository.save_standing(
        Standing(
            id=account_id,
            facts=reading.facts,
            overdue=True,
            overdue_since=reading.overdue_since,
            cycle=cycle,
            cycle_started_at=before.cycle_started_at if before and before.cycle == cycle else now,
            segment_id=placed.segment_id,
            segment_reason=placed.reason,
            evaluated_at=now,
        )
    )
    ladder = await repository.ladder(account_id)
    if ladder is None or ladder.cycle != cycle:
        ladder = Ladder(id=account_id, cycle=cycle)
    strategy = await _strategy_of_arm(ladder, placed.segment_id, context)
    if strategy is None:
        await repository.save_ladder(ladder)
        return Result.NO_STRATEGY
    ladder.strategy_id = strategy.id
    return await _climb(ladder, strategy, reading, now)


async def _strategy_of_arm(
    ladder: Ladder, segment_id: str | None, context: Context
) -> Strategy | None:
    """The segment's champion, or its challenger for a cycle placed in the challenger arm."""
    if segment_id is None:
        return None
    champion = context.strategies.get(segment_id)
    return await strategy_for(ladder, champion, context.experiments.get(segment_id), context.now)


def _next_cycle(before: Standing | None) -> int:
    return (before.cycle if before is not None else 0) + 1


async def _clear(before: Standing | None, reading: standing.Reading, now: datetime) -> str:
    was_open = before is not None and before.overdue
    reason = "arrangement" if reading.under_arrangement else "paid"
    await repository.save_standing(
        Standing(
            id=reading.account.id,
            facts=reading.facts,
            overdue=False,
            under_arrangement=reading.under_arrangement,
            cycle=before.cycle if before is not None else 0,
            cycle_started_at=before.cycle_started_at if before is not None else None,
            cleared_at=now if was_open else (before.cleared_at if before else None),
            cleared_reason=reason if was_open else (before.cleared_reason if before else None),
            segment_id=before.segment_id if before is not None else None,
            segment_reason=before.segment_reason if before is not None else None,
            evaluated_at=now,
        )
    )
    if was_open:
        log.info("dunning.cleared", account_id=reading.account.id, reason=reason)
    return Result.CLEARED if was_open else Result.CLEAR


def _hold(ladder: Ladder, reading: standing.Reading, now: datetime) -> bool:
    """Whether the ladder is held now; a promise whose day has passed lets it go."""
    if reading.facts.disputed:
        ladder.hold, ladder.hold_reason = Hold.DISPUTE, "the customer's dispute is open"
        return True
    if ladder.hold is Hold.DISPUTE:  # the dispute was closed
        ladder.hold = ladder.hold_reason = None
    if ladder.hold is Hold.PROMISE and ladder.promised_on is not None:
        if now.date() <= ladder.promised_on.date():
            return True
        # the promised day passed: the wait runs again from its end
        ladder.last_response_at = ladder.promised_on + timedelta(days=1)
        ladder.hold = ladder.hold_reason = None
    return ladder.hold is not None


def _since(ladder: Ladder) -> datetime | None:
    """When the wait for an answer started: the last step, or the customer's last word."""
    marks = [m for m in (ladder.last_step_at, ladder.last_response_at) if m is not None]
    return max(marks) if marks else None


def _due(step: Step, reading: standing.Reading, ladder: Ladder, now: datetime) -> bool:
    facts = reading.facts
    if facts.days_past_due < step.min_days_past_due:
        return False
    if any(facts.balance.get(c, 0) < low for c, low in step.min_balance.items()):
        return False
    quiet = step.no_response_days
    answered = ladder.last_response_at
    return quiet is None or answered is None or now - answered >= timedelta(days=quiet)


async def _climb(
    ladder: Ladder, strategy: Strategy, reading: standing.Reading, now: datetime
) -> str:
    if _hold(ladder, reading, now):
        await repository.save_ladder(ladder)
        return Result.HELD
    steps = strategy.steps
    if ladder.next_step > 0:
        previous = steps[min(ladder.next_step, len(steps)) - 1]
        since = _since(ladder)
        if since is not None and now - since < timedelta(days=previous.wait_days):
            await repository.save_ladder(ladder)
            return Result.WAITING
        after_messages = (
            ladder.next_step >= len(steps) or steps[ladder.next_step].kind not in MESSAGE_KINDS
        )
        if previous.kind in MESSAGE_KINDS and after_messages:
            await _escalate(reading, ladder, previous, now)
    if ladder.next_step >= len(steps):
        ladder.completed = True
        await repository.save_ladder(ladder)
        return Result.WAITING
    step = steps[ladder.next_step]
    if not _due(step, reading, ladder, now):
        await repository.save_ladder(ladder)
        return Result.WAITING
    return await take(ladder, strategy, step, reading, now)


async def _escalate(reading: standing.Reading, ladder: Ladder, last: Step, now: datetime) -> None:
    """Past the last message step with no answer: an item on the staff worklist, once a
    cycle (the item's key is the account and cycle; the ladder keeps its id)."""
    if ladder.escalation_item_id is not None:
        return

    async def commit() -> None:
        async with db.transaction() as session:
            item = await worklist.open_item(
                kind=WorkKind.ESCALATION,
                title=f"No response {last.wait_days} day(s) after {last.key}",
                due=now.date(),
                customer_id=reading.account.customer_id,
                account_id=ladder.id,
                key=f"escalation|{ladder.id}|{ladder.cycle}",
                session=session,
            )
            ladder.escalation_item_id = str(item.id)
            await repository.save_ladder(ladder, session=session)

    try:
        await db.retry_conflicts(commit)
    except DuplicateKeyError:  # another evaluation opened it at the same moment
        return
    log.info("dunning.escalated", account_id=ladder.id, cycle=ladder.cycle)


def ledger_entry(
    ladder: Ladder, strategy: Strategy, step: Step, outcome: Outcome, now: datetime, **extra: str
) -> LedgerEntry:
    """The ledger's record of `step` for the ladder's cycle, under the strategy's version."""
    return LedgerEntry(
        account_id=ladder.id,
        cycle=ladder.cycle,
        step=step.key,
        kind=step.kind,
        strategy_id=strategy.id,
        strategy_version=strategy.version,
        experiment_id=ladder.experiment_id,
        arm=ladder.arm,
        outcome=outcome,
        channels=step.channels if outcome is not Outcome.SKIPPED else [],
        at=now,
        **extra,
    )


async def take(
    ladder: Ladder, strategy: Strategy, step: Step, reading: standing.Reading, now: datetime
) -> str:
    """Take `step` once: its ledger entry, its effect and the ladder's move commit together."""
    outcome = _OUTCOMES[step.kind]
    entry = ledger_entry(ladder, strategy, step, outcome, now)
    ladder.next_step += 1
    ladder.last_step_at = now
    ladder.updated_at = now

    async def commit() -> notifications.Pending:
        pending = notifications.Pending()
        async with db.transaction() as session:
            if step.kind in MESSAGE_KINDS:
                pending = await _message(step, reading, ladder, session)
                entry.delivery_ids = pending.delivery_ids
            elif step.kind is StepKind.SUSPENSION:
                event = await oss.request_suspension(
                    account_id=ladder.id, reason=f"dunning step {step.key}", session=session
                )
                entry.oss_event_id = event.id
            await repository.insert_entries([entry], session=session)
            await repository.save_ladder(ladder, session=session)
        return pending

    try:
        # a conflict with another account's transaction is tried again (nothing of it stayed)
        pending = await db.retry_conflicts(commit)
    except DuplicateKeyError:
        return Result.WAITING  # taken already in this cycle
    await notifications.dispatch(pending)
    if entry.oss_event_id is not None:
        await oss.dispatch(entry.oss_event_id)
    if step.kind is StepKind.HANDOFF:
        await handoff.hand_over(entry, reading)
    log.info("dunning.step_taken", account_id=ladder.id, step=step.key, version=strategy.version)
    return Result.TAKEN


_OUTCOMES = {
    StepKind.REMINDER: Outcome.MESSAGED,
    StepKind.FOLLOW_UP: Outcome.MESSAGED,
    StepKind.FINAL_NOTICE: Outcome.MESSAGED,
    StepKind.SUSPENSION: Outcome.SUSPENSION_REQUESTED,
    StepKind.HANDOFF: Outcome.HANDED_OFF,
}


async def _message(
    step: Step, reading: standing.Reading, ladder: Ladder, session: AsyncClientSession
) -> notifications.Pending:
    assert step.template is not None
    currency, amount = max(reading.facts.balance.items(), key=lambda kv: kv[1])
    due = (ladder.last_step_at or reading.overdue_since or datetime.now(UTC)) + timedelta(
        days=step.wait_days
    )
    return await notifications.message_account(
        account_id=reading.account.id,
        customer_id=reading.account.customer_id,
        key=step.template,
        amount=Money(amount=amount, currency=currency),
        due_date=due.date(),
        channels=list(step.channels),
        dedupe_key=f"dunning|{ladder.id}|{ladder.cycle}|{step.key}",
        session=session,
    )
