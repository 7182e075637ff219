"""The allocation decision, with no I/O: which rule applies to a case, which DRC it picks,
and a sentence saying why. The service loads rules, DRCs and loads, then commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from backend.allocation.models import AllocationRule, ChoiceStrategy, RankedDrc, RuleConditions
from backend.cases.models import Case
from backend.core.money import Money
from backend.drcs.models import Drc

_LISTED = 5  # runners-up and refusals named in a reason; the rest are counted


@dataclass(frozen=True)
class Decision:
    """The outcome for one case: a DRC with the rule that chose it, or why none."""

    reason: str
    rule: AllocationRule | None = None
    drc: Drc | None = None
    ranking: list[RankedDrc] = field(default_factory=list)


def _fold(text: str | None) -> str | None:
    return text.casefold() if text is not None else None


def _in_band(amount: Money, low: Money | None, high: Money | None) -> bool:
    """Inclusive bounds; a bound in another currency never matches."""
    if low is not None and (low.currency != amount.currency or amount.amount < low.amount):
        return False
    return high is None or (high.currency == amount.currency and amount.amount <= high.amount)


def conditions_hold(conditions: RuleConditions, case: Case, now: datetime) -> bool:
    """Every condition set on the rule holds for the case (inclusive bounds)."""
    c, age = conditions, case.age_days(now)
    if not _in_band(case.outstanding, c.arrears_min, c.arrears_max):
        return False
    if c.regions is not None and _fold(case.region) not in {_fold(r) for r in c.regions}:
        return False
    if c.actions is not None and case.action not in c.actions:
        return False
    if c.min_age_days is not None and age < c.min_age_days:
        return False
    return c.max_age_days is None or age <= c.max_age_days


def first_match(
    rules: Sequence[AllocationRule], case: Case, now: datetime
) -> AllocationRule | None:
    """The first active rule, by priority, whose conditions the case meets."""
    ordered = sorted((r for r in rules if r.active), key=lambda r: (r.priority, str(r.id)))
    return next((r for r in ordered if conditions_hold(r.conditions, case, now)), None)


def covers(drc: Drc, region: str | None) -> bool:
    """A DRC that lists regions takes only cases from them; one that lists none takes any."""
    return not drc.regions or _fold(region) in {_fold(r) for r in drc.regions}


def _refusal(
    drc: Drc | None, drc_id: str, rule: AllocationRule, case: Case, held: int, recalled: str | None
) -> str | None:
    if drc is None:
        return "is not registered"
    if not drc.active:
        return "is inactive"
    if drc_id in rule.excluded_drc_ids:
        return "is excluded by the rule"
    if drc_id == recalled:
        return "held the case until it was recalled"
    if not covers(drc, case.region):
        return f"does not cover region {case.region or '(none)'}"
    if held >= drc.capacity:
        return f"has no spare capacity ({held}/{drc.capacity} open cases)"
    return None


def rank(
    rule: AllocationRule,
    case: Case,
    drcs: Mapping[str, Drc],
    held: Mapping[str, int],
    *,
    recalled_from: str | None = None,
) -> tuple[list[RankedDrc], list[str]]:
    """The rule's candidates able to take the case, best first, and why the others cannot."""
    pool = rule.drc_ids if rule.drc_ids is not None else [d for d in drcs if drcs[d].active]
    ranked, refused = [], []
    for drc_id in sorted(set(pool)):
        drc, load = drcs.get(drc_id), held.get(drc_id, 0)
        why = _refusal(drc, drc_id, rule, case, load, recalled_from)
        if why is not None:
            refused.append(f"{drc_id} {why}")
        elif drc is not None:
            spare = drc.capacity - load
            ranked.append(
                RankedDrc(drc_id=drc_id, performance_score=drc.performance_score, spare=spare)
            )
    if rule.strategy is ChoiceStrategy.CAPACITY:
        ranked.sort(key=lambda r: (-r.spare, -r.performance_score, r.drc_id))
    else:
        ranked.sort(key=lambda r: (-r.performance_score, -r.spare, r.drc_id))
    return ranked, refused


def decide(
    rules: Sequence[AllocationRule],
    case: Case,
    drcs: Mapping[str, Drc],
    held: Mapping[str, int],
    *,
    now: datetime,
    recalled_from: str | None = None,
) -> Decision:
    """Pick the DRC for a case by the first matching rule, or say why it stays in the pool."""
    rule = first_match(rules, case, now)
    if rule is None:
        return Decision(reason=f"No active rule matches {_describe(case, now)}.")
    ranked, refused = rank(rule, case, drcs, held, recalled_from=recalled_from)
    head = f'Rule "{rule.name}" (priority {rule.priority}) matched {_describe(case, now)}.'
    tail = f" Passed over: {_listing(refused)}." if refused else ""
    if not ranked:
        return Decision(rule=rule, reason=f"{head} No candidate DRC can take it.{tail}")
    by = "spare capacity" if rule.strategy is ChoiceStrategy.CAPACITY else "performance score"
    order = _listing([_entry(r) for r in ranked])
    return Decision(
        rule=rule,
        drc=drcs[ranked[0].drc_id],
        ranking=ranked,
        reason=f"{head} Ranked by {by}: {order}; {ranked[0].drc_id} chosen.{tail}",
    )


def _describe(case: Case, now: datetime) -> str:
    return (
        f"(outstanding {case.outstanding}, region {case.region or '(none)'}, "
        f"action {case.action.value}, {case.age_days(now)} days overdue)"
    )


def _entry(r: RankedDrc) -> str:
    return f"{r.drc_id} (score {r.performance_score:.2f}, {r.spare} spare)"


def _listing(items: list[str]) -> str:
    return "; ".join(items[:_LISTED]) + (
        f"; and {len(items) - _LISTED} more" if len(items) > _LISTED else ""
    )
