"""Champion/challenger: a segment may run a challenger ladder on a share of its accounts'
new cycles, each account placed stably by a hash of the experiment's salt and its id.

The arm is decided when the cycle's ladder starts and kept for the cycle, so a change of
share applies to new cycles only; starting an experiment draws a new salt, so accounts
are placed afresh only when someone starts one. The report aggregates on the database.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from backend.audit import service as audit
from backend.core import clock, db
from backend.core.errors import field_problem
from backend.core.money import Money
from backend.core.settings import get_settings
from backend.dunning import repository, strategies
from backend.dunning.errors import ExperimentInvalid, ExperimentNotFound, ExperimentRunning
from backend.dunning.models import (
    Arm,
    Experiment,
    ExperimentMember,
    ExperimentStatus,
    Ladder,
    Strategy,
)
from backend.dunning.schemas import (
    ArmReport,
    Collected,
    Estimate,
    ExperimentRead,
    ExperimentReport,
    ExperimentSetup,
)
from backend.notifications.models import Channel
from backend.users.models import User

WHOLE = 10_000  # basis points
WINDOWS = (30, 60, 90)  # days from the cycle's start
Z95 = 1.959963984540054


def arm_of(salt: str, account_id: str, share_bp: int) -> Arm:
    """The account's arm: the first 8 bytes of SHA-256(salt:id), mod 10,000, under the share."""
    digest = hashlib.sha256(f"{salt}:{account_id}".encode()).digest()
    return Arm.CHALLENGER if int.from_bytes(digest[:8], "big") % WHOLE < share_bp else Arm.CHAMPION


@dataclass
class Running:
    """A running experiment and its challenger's current version."""

    experiment: Experiment
    challenger: Strategy


async def running_experiments() -> dict[str, Running]:
    """Running experiments by segment."""
    found: dict[str, Running] = {}
    for experiment in await repository.running_experiments():
        challenger = await repository.strategy(experiment.challenger_id)
        if challenger is not None:
            found[experiment.segment_id] = Running(experiment, challenger)
    return found


async def strategy_for(
    ladder: Ladder, champion: Strategy | None, running: Running | None, now: datetime
) -> Strategy | None:
    """The strategy of the ladder's arm; a cycle not yet on a step joins a running experiment."""
    if champion is None:
        return None
    fresh = ladder.experiment_id is None and ladder.next_step == 0 and ladder.last_step_at is None
    if running is not None and fresh:
        experiment = running.experiment
        ladder.experiment_id = str(experiment.id)
        ladder.arm = arm_of(experiment.salt, ladder.id, experiment.share_bp)
        await repository.enrol(
            ExperimentMember(
                experiment_id=ladder.experiment_id,
                account_id=ladder.id,
                cycle=ladder.cycle,
                arm=ladder.arm,
                started_at=now,
            )
        )
    if (
        running is not None
        and ladder.experiment_id == str(running.experiment.id)
        and ladder.arm is Arm.CHALLENGER
    ):
        return running.challenger
    return champion


# --------------------------------------------------------------------------- setup


def challenger_id(segment_id: str) -> str:
    return f"{segment_id}~challenger"


async def _checked(segment_id: str, data: ExperimentSetup) -> Strategy:
    """The champion to challenge; refuses the setup naming each field at fault."""
    problems: list[tuple[str, str]] = []
    if not 0 < data.share_bp < WHOLE:
        problems.append(("share_bp", "must be between 1 and 9999 basis points"))
    if data.challenger.segment_id != segment_id:
        problems.append(
            ("challenger.segment_id", f"the challenger must belong to segment {segment_id}")
        )
    steps = list(data.challenger.steps)
    problems += [(f"challenger.{f}", r) for f, r in strategies.ladder_problems(steps)]
    champion = await repository.strategy(segment_id)
    if champion is None or champion.challenger_of is not None:
        problems.append(("segment_id", f"segment {segment_id} has no strategy to challenge"))
    if problems or champion is None:
        raise ExperimentInvalid(
            f"{len(problems)} problem(s) with the experiment",
            errors=[field_problem(f, r, ExperimentInvalid.code) for f, r in problems],
        )
    return champion


async def set_up(*, actor: User, segment_id: str, data: ExperimentSetup) -> ExperimentRead:
    """Start an experiment (a new salt), or change the running one's share or challenger
    (a new version of the challenger; cycles already placed keep their arm)."""
    champion = await _checked(segment_id, data)
    current = await _running(segment_id)
    before = await repository.strategy(challenger_id(segment_id))
    challenger = Strategy(
        id=challenger_id(segment_id),
        name=data.challenger.name,
        steps=list(data.challenger.steps),
        version=before.version + 1 if before else 1,
        challenger_of=segment_id,
        updated_by=actor.id,
    )
    experiment = current or Experiment(
        segment_id=segment_id,
        salt=secrets.token_hex(16),
        share_bp=data.share_bp,
        challenger_id=challenger.id,
        champion_version=champion.version,
        started_by=actor.id,
    )
    was = _audited(experiment, before) if current else None
    experiment.share_bp = data.share_bp
    action = "dunning.experiment_change" if current else "dunning.experiment_start"
    try:
        async with db.transaction() as session:
            await repository.save_strategy(challenger, session=session)
            await repository.save_experiment(experiment, session=session)
            await _audit(actor, action, was, _audited(experiment, challenger), session)
    except DuplicateKeyError as exc:  # started or changed at the same moment by another
        raise ExperimentRunning(f"Segment {segment_id} runs an experiment already") from exc
    return _read(experiment, challenger)


async def _running(segment_id: str) -> Experiment | None:
    found = await repository.latest_experiment(segment_id)
    return found if found is not None and found.status is ExperimentStatus.RUNNING else None


async def _require_running(segment_id: str) -> tuple[Experiment, Strategy]:
    experiment = await _running(segment_id)
    challenger = await repository.strategy(experiment.challenger_id) if experiment else None
    if experiment is None or challenger is None:
        raise ExperimentNotFound(f"Segment {segment_id} runs no experiment")
    return experiment, challenger


def _audited(experiment: Experiment, challenger: Strategy | None) -> dict[str, Any]:
    return {
        "segment_id": experiment.segment_id,
        "experiment_id": str(experiment.id) if experiment.id else None,
        "share_bp": experiment.share_bp,
        "status": experiment.status.value,
        "challenger_version": challenger.version if challenger else None,
    }


async def _audit(actor: User, action: str, before: dict | None, after: dict, session: Any) -> None:
    await audit.record(
        actor=actor,
        action=action,
        entity_type="dunning_experiment",
        entity_id=after["segment_id"],
        before=before,
        after=after,
        session=session,
    )


async def _end(
    actor: User, segment_id: str, status: ExperimentStatus
) -> tuple[Experiment, Strategy, dict[str, Any]]:
    experiment, challenger = await _require_running(segment_id)
    before = _audited(experiment, challenger)
    experiment.status = status
    experiment.ended_by, experiment.ended_at = actor.id, clock.now()
    return experiment, challenger, before


async def stop(*, actor: User, segment_id: str) -> ExperimentRead:
    """End the experiment; every new cycle climbs the champion's ladder again."""
    experiment, challenger, before = await _end(actor, segment_id, ExperimentStatus.STOPPED)
    async with db.transaction() as session:
        await repository.save_experiment(experiment, session=session)
        await _audit(
            actor, "dunning.experiment_stop", before, _audited(experiment, challenger), session
        )
    return _read(experiment, challenger)


async def promote(*, actor: User, segment_id: str) -> ExperimentRead:
    """The challenger's ladder becomes a new version of the champion; the experiment ends."""
    experiment, challenger, before = await _end(actor, segment_id, ExperimentStatus.PROMOTED)
    champion = await strategies.require(segment_id)
    promoted = champion.model_copy(
        update={
            "name": challenger.name,
            "steps": challenger.steps,
            "version": champion.version + 1,
            "updated_by": actor.id,
            "updated_at": clock.now(),
        }
    )
    after = {**_audited(experiment, challenger), "champion_version": promoted.version}
    async with db.transaction() as session:
        await repository.save_strategy(promoted, session=session)
        await repository.save_experiment(experiment, session=session)
        await _audit(actor, "dunning.experiment_promote", before, after, session)
    return _read(experiment, challenger)


def _read(experiment: Experiment, challenger: Strategy) -> ExperimentRead:
    return ExperimentRead.model_validate(
        {
            **experiment.model_dump(exclude={"salt"}),
            "id": str(experiment.id),
            "challenger": strategies.read_of(challenger),
        }
    )


async def _latest(segment_id: str) -> tuple[Experiment, Strategy]:
    experiment = await repository.latest_experiment(segment_id)
    challenger = await repository.strategy(experiment.challenger_id) if experiment else None
    if experiment is None or challenger is None:
        raise ExperimentNotFound(f"Segment {segment_id} has had no experiment")
    return experiment, challenger


async def get_experiment(*, segment_id: str) -> ExperimentRead:
    """The segment's running experiment, else its last one."""
    return _read(*await _latest(segment_id))


# --------------------------------------------------------------------------- report


def wilson(successes: int, trials: int, z: float = Z95) -> Estimate:
    """The proportion with its Wilson score interval."""
    if trials == 0:
        return Estimate(value=None, low=None, high=None)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    return Estimate(value=p, low=max(0.0, centre - half), high=min(1.0, centre + half))


def mean_interval(total: float, squares: float, count: int, z: float = Z95) -> Estimate:
    """The mean of `count` values from their sum and sum of squares, with a
    normal-approximation interval."""
    if count == 0:
        return Estimate(value=None, low=None, high=None)
    mean = total / count
    if count == 1:
        return Estimate(value=mean, low=None, high=None)
    variance = max(squares - total * total / count, 0.0) / (count - 1)
    half = z * math.sqrt(variance / count)
    return Estimate(value=mean, low=mean - half, high=mean + half)


def _per(amount: float, cures: int) -> float | None:
    return amount / cures if cures else None


async def report(*, segment_id: str) -> ExperimentReport:
    """Per arm: accounts, cures and the cure rate, the mean collected per account within
    30, 60 and 90 days, messages sent and their cost, per cure."""
    experiment, challenger = await _latest(segment_id)
    key = str(experiment.id)
    outcomes = {row["_id"]: row for row in await repository.arm_outcomes(key)}
    collections = await repository.arm_collections(key, WINDOWS)
    messages = await repository.arm_messages(key)
    settings = get_settings().dunning
    prices = {
        Channel.SMS.value: settings.sms_cost_minor,
        Channel.EMAIL.value: settings.email_cost_minor,
    }
    arms = []
    for arm, strategy_id in ((Arm.CHAMPION, segment_id), (Arm.CHALLENGER, challenger.id)):
        counts = outcomes.get(arm.value, {})
        accounts, cures = counts.get("accounts", 0), counts.get("cures", 0)
        sent = [row for row in messages if row["_id"]["arm"] == arm.value]
        count = sum(row["sent"] for row in sent)
        cost = sum(row["sent"] * prices.get(row["_id"]["channel"], 0) for row in sent)
        arms.append(
            ArmReport(
                arm=arm,
                strategy_id=strategy_id,
                accounts=accounts,
                cures=cures,
                cure_rate=wilson(cures, accounts),
                collected=_collected(arm, collections, accounts),
                messages=count,
                contacts_per_cure=_per(count, cures),
                cost=Money(amount=cost, currency=settings.cost_currency),
                cost_per_cure=_per(cost, cures),
            )
        )
    return ExperimentReport(experiment=_read(experiment, challenger), arms=arms)


def _collected(arm: Arm, rows: list[dict[str, Any]], accounts: int) -> list[Collected]:
    """Each currency's mean per account of the arm, accounts that paid nothing counted."""
    found = []
    for row in sorted(rows, key=lambda r: r["_id"]["currency"]):
        if row["_id"]["arm"] != arm.value:
            continue
        for days in WINDOWS:
            total, squares = row[f"s{days}"], row[f"q{days}"]
            found.append(
                Collected(
                    days=days,
                    currency=row["_id"]["currency"],
                    total=total,
                    mean=mean_interval(total, squares, accounts),
                )
            )
    return found
