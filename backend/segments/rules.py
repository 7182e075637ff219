"""Whether an account's facts meet a segment's rules, and whether the rules make sense.

Pure functions: the service reads the segments and facts and asks these.
"""

from __future__ import annotations

from backend.segments.models import AccountFacts, SegmentRules

Problem = tuple[str, str]  # (field, reason)


def check(rules: SegmentRules, *, currencies: list[str]) -> list[Problem]:
    """Every problem with the rules, each naming its field under `rules.`."""
    problems: list[Problem] = []
    for name in ("balance_min", "balance_max"):
        for currency, amount in getattr(rules, name).items():
            if currency not in currencies:
                problems.append((f"rules.{name}.{currency}", f"unknown currency {currency!r}"))
            elif amount < 0:
                problems.append((f"rules.{name}.{currency}", "must not be negative"))
    for currency, low in rules.balance_min.items():
        high = rules.balance_max.get(currency)
        if high is not None and high < low:
            problems.append((f"rules.balance_max.{currency}", "is below balance_min"))
    for name in ("days_past_due_min", "days_past_due_max", "payments_max", "promises_broken_min"):
        value = getattr(rules, name)
        if value is not None and value < 0:
            problems.append((f"rules.{name}", "must not be negative"))
    least, most = rules.days_past_due_min, rules.days_past_due_max
    if least is not None and most is not None and most < least:
        problems.append(("rules.days_past_due_max", "is below days_past_due_min"))
    return problems


def _balance(rules: SegmentRules, facts: AccountFacts) -> list[str] | None:
    met = []
    for currency, low in rules.balance_min.items():
        owed = facts.balance.get(currency, 0)
        if owed < low:
            return None
        met.append(f"balance {currency} {owed} >= {low}")
    for currency, high in rules.balance_max.items():
        owed = facts.balance.get(currency, 0)
        if owed > high:
            return None
        met.append(f"balance {currency} {owed} <= {high}")
    return met


def _counts(rules: SegmentRules, facts: AccountFacts) -> list[str] | None:
    tests = (
        ("days past due", facts.days_past_due, rules.days_past_due_min, ">="),
        ("days past due", facts.days_past_due, rules.days_past_due_max, "<="),
        ("payments", facts.payments, rules.payments_max, "<="),
        ("promises broken", facts.promises_broken, rules.promises_broken_min, ">="),
    )
    met = []
    for label, value, bound, op in tests:
        if bound is None:
            continue
        if (value < bound) if op == ">=" else (value > bound):
            return None
        met.append(f"{label} {value} {op} {bound}")
    return met


def _lists(rules: SegmentRules, facts: AccountFacts) -> list[str] | None:
    tests = (
        ("region", rules.regions, [facts.region] if facts.region else []),
        ("product type", rules.product_types, facts.product_types),
        (
            "customer group",
            rules.customer_groups,
            [facts.customer_group] if facts.customer_group else [],
        ),
        ("risk band", rules.risk_bands, [facts.risk_band] if facts.risk_band else []),
    )
    met = []
    for label, wanted, held in tests:
        if not wanted:
            continue
        found = [v for v in held if v in wanted]
        if not found:
            return None
        met.append(f"{label} {found[0]}")
    return met


def matches(rules: SegmentRules, facts: AccountFacts) -> str | None:
    """Why the facts meet every rule ("matches every account" with none), or None."""
    met: list[str] = []
    for part in (_balance, _counts, _lists):
        found = part(rules, facts)
        if found is None:
            return None
        met += found
    return "; ".join(met) or "matches every account"
