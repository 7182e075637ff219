"""Strategies: one ladder per segment, declared by operator staff, kept in versions.

Each change stores a new version; the current one is what evaluations use, and every
step taken records the version that said to take it.
"""

from __future__ import annotations

from collections.abc import Sequence

from backend.audit import service as audit
from backend.core import clock, db
from backend.core.errors import field_problem
from backend.core.settings import get_settings
from backend.dunning import repository
from backend.dunning.errors import StrategyInvalid, StrategyNotFound
from backend.dunning.models import MESSAGE_KINDS, Step, StepKind, Strategy
from backend.dunning.schemas import (
    StrategyCreate,
    StrategyRead,
    StrategyUpdate,
    StrategyVersionRead,
)
from backend.notifications.models import CUSTOMER_CHANNELS
from backend.segments import service as segments
from backend.segments.errors import SegmentNotFound
from backend.users.models import User

Problem = tuple[str, str]


def _step_problems(index: int, step: Step, currencies: list[str]) -> list[Problem]:
    at = f"steps.{index}"
    problems: list[Problem] = []
    if step.kind in MESSAGE_KINDS:
        if step.template is None:
            problems.append((f"{at}.template", f"a {step.kind} step needs a template"))
        if not step.channels:
            problems.append((f"{at}.channels", f"a {step.kind} step needs a channel"))
    elif step.template is not None or step.channels:
        problems.append((f"{at}.template", f"a {step.kind} step sends no message"))
    for channel in step.channels:
        if channel not in CUSTOMER_CHANNELS:
            problems.append(
                (f"{at}.channels", f"customers are reached by SMS or email, not {channel}")
            )
    for currency, amount in step.min_balance.items():
        if currency not in currencies:
            problems.append((f"{at}.min_balance.{currency}", f"unknown currency {currency!r}"))
        elif amount < 0:
            problems.append((f"{at}.min_balance.{currency}", "must not be negative"))
    if step.no_response_days is not None and step.no_response_days < 0:
        problems.append((f"{at}.no_response_days", "must not be negative"))
    return problems


def check(steps: list[Step], *, prefix: str = "") -> None:
    """Refuse a ladder that cannot run, naming each field at fault (under `prefix`)."""
    problems = ladder_problems(steps)
    if problems:
        raise StrategyInvalid(
            f"{len(problems)} problem(s) with the strategy",
            errors=[field_problem(prefix + f, r, StrategyInvalid.code) for f, r in problems],
        )


def ladder_problems(steps: Sequence[Step]) -> list[Problem]:
    """What is wrong with a ladder, each with its field."""
    currencies = get_settings().intake.currencies
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, step in enumerate(steps):
        if step.key in seen:
            problems.append((f"steps.{index}.key", f"step {step.key!r} appears twice"))
        seen.add(step.key)
        if step.kind is StepKind.HANDOFF and index != len(steps) - 1:
            problems.append((f"steps.{index}.kind", "the hand-off ends the ladder"))
        problems += _step_problems(index, step, currencies)
    return problems


def read_of(strategy: Strategy) -> StrategyRead:
    return StrategyRead.model_validate({**strategy.model_dump(), "segment_id": strategy.id})


async def require(strategy_id: str) -> Strategy:
    found = await repository.strategy(strategy_id)
    if found is None:
        raise StrategyNotFound(f"No strategy for segment {strategy_id}")
    return found


async def list_strategies() -> list[StrategyRead]:
    return [read_of(s) for s in await repository.strategies()]


async def get_strategy(*, strategy_id: str) -> StrategyRead:
    return read_of(await require(strategy_id))


async def create_strategy(*, actor: User, data: StrategyCreate) -> StrategyRead:
    """The first version of a segment's ladder."""
    check(list(data.steps))
    try:
        await segments.get_segment(segment_id=data.segment_id)
    except SegmentNotFound as exc:
        raise StrategyInvalid.on("segment_id", f"No segment {data.segment_id}") from exc
    if await repository.strategy(data.segment_id) is not None:
        raise StrategyInvalid.on("segment_id", f"Segment {data.segment_id} has a strategy")
    strategy = Strategy(
        id=data.segment_id, name=data.name, steps=list(data.steps), updated_by=actor.id
    )
    return await _store(actor, "dunning.strategy_create", None, strategy)


async def update_strategy(*, actor: User, strategy_id: str, data: StrategyUpdate) -> StrategyRead:
    """A new version; steps already taken keep the version they were taken under."""
    check(list(data.steps))
    before = await require(strategy_id)
    after = before.model_copy(
        update={
            "name": data.name,
            "steps": list(data.steps),
            "version": before.version + 1,
            "updated_by": actor.id,
            "updated_at": clock.now(),
        }
    )
    return await _store(actor, "dunning.strategy_update", before, after)


async def _store(
    actor: User, action: str, before: Strategy | None, after: Strategy
) -> StrategyRead:
    async with db.transaction() as session:
        await repository.save_strategy(after, session=session)
        await audit.record(
            actor=actor,
            action=action,
            entity_type="dunning_strategy",
            entity_id=after.id,
            before={"version": before.version, "name": before.name} if before else None,
            after={"version": after.version, "name": after.name, "steps": len(after.steps)},
            session=session,
        )
    return read_of(after)


async def list_versions(*, strategy_id: str) -> list[StrategyVersionRead]:
    """Every version, newest first."""
    await require(strategy_id)
    return [
        StrategyVersionRead.model_validate(v.model_dump())
        for v in await repository.versions(strategy_id)
    ]
