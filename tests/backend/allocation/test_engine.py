"""The allocation decision on its own: conditions, candidates, ranking and the reason."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.allocation import engine
from backend.allocation.models import AllocationRule, ChoiceStrategy, RuleConditions
from backend.cases.models import Action, Case
from backend.core.money import Money
from backend.drcs.models import Drc

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def case(
    *, outstanding: int = 150_000, region: str | None = "Western", action=Action.ARREARS, age=90
) -> Case:
    return Case(
        incident_id="INC-1",
        customer_id="CUS-1",
        customer_name="A Customer",
        account_id="ACC-1",
        product_ids=["P1"],
        action=action,
        region=region,
        arrears=Money(amount=outstanding),
        outstanding=Money(amount=outstanding),
        overdue_since=NOW - timedelta(days=age),
    )


def rule(name: str = "r", priority: int = 100, **fields) -> AllocationRule:
    conditions = RuleConditions(**fields.pop("conditions", {}))
    return AllocationRule(name=name, priority=priority, conditions=conditions, **fields)


def drc(drc_id: str, **fields) -> Drc:
    return Drc(id=drc_id, name=drc_id, **fields)


@pytest.mark.parametrize(
    ("conditions", "matches", "misses"),
    [
        (
            {"arrears_min": Money(amount=100_000), "arrears_max": Money(amount=200_000)},
            [{"outstanding": 100_000}, {"outstanding": 200_000}],
            [{"outstanding": 99_999}, {"outstanding": 200_001}],
        ),
        ({"arrears_min": Money(amount=1, currency="USD")}, [], [{"outstanding": 150_000}]),
        (
            {"regions": ["Western", "southern"]},
            [{"region": "western"}, {"region": "Southern"}],
            [{"region": "Central"}, {"region": None}],
        ),
        (
            {"actions": [Action.CPE, Action.ARREARS_AND_CPE]},
            [{"action": Action.CPE}, {"action": Action.ARREARS_AND_CPE}],
            [{"action": Action.ARREARS}],
        ),
        (
            {"min_age_days": 30, "max_age_days": 90},
            [{"age": 30}, {"age": 90}],
            [{"age": 29}, {"age": 91}],
        ),
    ],
    ids=["band", "band-currency", "region", "action", "age"],
)
def test_each_condition(conditions, matches, misses):
    checked = RuleConditions(**conditions)
    assert all(engine.conditions_hold(checked, case(**c), NOW) for c in matches)
    assert not any(engine.conditions_hold(checked, case(**c), NOW) for c in misses)


def test_first_active_rule_by_priority_wins():
    later = rule("later", priority=20)
    sooner = rule("sooner", priority=10, conditions={"regions": ["Western"]})
    off = rule("off", priority=1, active=False)
    assert engine.first_match([later, sooner, off], case(), NOW) is sooner
    assert engine.first_match([later, sooner, off], case(region="Central"), NOW) is later


def test_ranks_by_performance_then_spare():
    drcs = {d.id: d for d in (drc("A", performance_score=0.6), drc("B", performance_score=0.9))}
    decision = engine.decide([rule()], case(), drcs, {}, now=NOW)
    assert decision.drc is drcs["B"]
    assert [r.drc_id for r in decision.ranking] == ["B", "A"]
    assert "Ranked by performance score: B (score 0.90" in decision.reason
    assert "B chosen" in decision.reason


def test_ranks_by_spare_capacity():
    drcs = {
        "A": drc("A", performance_score=0.9, capacity=10),
        "B": drc("B", performance_score=0.5, capacity=10),
    }
    decision = engine.decide(
        [rule(strategy=ChoiceStrategy.CAPACITY)], case(), drcs, {"A": 7, "B": 2}, now=NOW
    )
    assert decision.drc is drcs["B"]
    assert "Ranked by spare capacity: B (score 0.50, 8 spare); A (score 0.90, 3 spare)" in (
        decision.reason
    )


def test_candidates_are_filtered_and_each_refusal_explained():
    drcs = {
        "FULL": drc("FULL", capacity=2),
        "SOUTH": drc("SOUTH", regions=["Southern"]),
        "OFF": drc("OFF", active=False),
        "BANNED": drc("BANNED"),
        "OK": drc("OK", performance_score=0.1, regions=["Western"]),
    }
    listed = rule(drc_ids=[*drcs, "GHOST"], excluded_drc_ids=["BANNED"])
    decision = engine.decide([listed], case(), drcs, {"FULL": 2}, now=NOW)
    assert decision.drc is drcs["OK"]
    for why in (
        "FULL has no spare capacity (2/2 open cases)",
        "SOUTH does not cover region Western",
        "OFF is inactive",
        "BANNED is excluded by the rule",
        "GHOST is not registered",
    ):
        assert why in decision.reason


def test_any_active_drc_and_the_one_recalled_from():
    drcs = {"A": drc("A", performance_score=0.9), "B": drc("B"), "C": drc("C", active=False)}
    decision = engine.decide([rule()], case(), drcs, {}, now=NOW, recalled_from="A")
    assert decision.drc is drcs["B"]
    assert "A held the case until it was recalled" in decision.reason
    assert "C" not in [r.drc_id for r in decision.ranking]


def test_no_match_and_no_capacity_say_why():
    none = engine.decide([rule(conditions={"regions": ["Northern"]})], case(), {}, {}, now=NOW)
    assert none.drc is None and none.rule is None
    assert none.reason.startswith("No active rule matches (outstanding LKR 1,500.00, region")
    full = engine.decide([rule("tight")], case(), {"A": drc("A", capacity=0)}, {}, now=NOW)
    assert full.drc is None and full.rule is not None
    assert 'Rule "tight"' in full.reason and "No candidate DRC can take it" in full.reason
