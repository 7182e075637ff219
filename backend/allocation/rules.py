"""Allocation rules: operator admins write them, operator staff read them, every change is
audited, and deleting one only deactivates it so the history stays readable."""

from __future__ import annotations

from typing import Any

from backend.allocation import repository
from backend.allocation.errors import RuleInvalid, RuleNotFound, UnknownDrc
from backend.allocation.models import AllocationRule, RuleConditions
from backend.allocation.schemas import RuleCreate, RuleUpdate
from backend.audit import service as audit
from backend.core import clock, db
from backend.core.errors import Forbidden, field_problem
from backend.drcs import service as drcs
from backend.users.models import Role, User

ENTITY = "allocation_rule"
ORDER_STEP = 10  # reordered rules keep gaps, so one can be slotted in by priority alone


def _require_operator(actor: User) -> None:
    if not actor.is_operator:
        raise Forbidden("Only operator staff read allocation rules")


def _require_admin(actor: User) -> None:
    if actor.role is not Role.OPERATOR_ADMIN:
        raise Forbidden("Only operator admins change allocation rules")


def _summary(rule: AllocationRule) -> dict[str, Any]:
    return rule.model_dump(mode="json", exclude={"id", "revision_id", "created_at", "updated_at"})


def _contradictions(c: RuleConditions) -> list[tuple[str, str]]:
    """(field, reason) for each pair of conditions that cannot both hold."""
    problems = []
    low, high = c.arrears_min, c.arrears_max
    if low is not None and high is not None:
        if low.currency != high.currency:
            problems.append(
                ("arrears_max.currency", "arrears_min and arrears_max are in different currencies")
            )
        elif low.amount > high.amount:
            problems.append(("arrears_max", "arrears_min is above arrears_max"))
    ages = (c.min_age_days, c.max_age_days)
    if ages[0] is not None and ages[1] is not None and ages[0] > ages[1]:
        problems.append(("max_age_days", "min_age_days is above max_age_days"))
    return [(f"conditions.{field}", reason) for field, reason in problems]


async def _check(rule: AllocationRule, actor: User) -> None:
    """Refuse a rule that could never match, or that names a DRC nobody registered."""
    problems = _contradictions(rule.conditions)
    if problems:
        raise RuleInvalid(
            "; ".join(reason for _, reason in problems),
            problems=[reason for _, reason in problems],
            errors=[field_problem(field, reason, RuleInvalid.code) for field, reason in problems],
        )
    known = {d.id for d in await drcs.list_for(actor=actor)}
    named = {"drc_ids": rule.drc_ids or [], "excluded_drc_ids": rule.excluded_drc_ids}
    unknown = {field: sorted(set(ids) - known) for field, ids in named.items()}
    if any(unknown.values()):
        every = sorted({drc for ids in unknown.values() for drc in ids})
        raise UnknownDrc(
            f"No DRC {', '.join(every)}",
            drc_ids=every,
            errors=[
                field_problem(field, f"No DRC {', '.join(ids)}", UnknownDrc.code)
                for field, ids in unknown.items()
                if ids
            ],
        )


async def list_rules(*, actor: User, include_inactive: bool) -> list[AllocationRule]:
    """Rules in the order the engine tries them."""
    _require_operator(actor)
    return await repository.list_rules(include_inactive=include_inactive)


async def get_rule(*, actor: User, rule_id: str) -> AllocationRule:
    _require_operator(actor)
    rule = await repository.get_rule(rule_id)
    if rule is None:
        raise RuleNotFound(f"No allocation rule {rule_id}")
    return rule


async def create_rule(*, actor: User, data: RuleCreate) -> AllocationRule:
    """Add a rule; it applies to the next allocation."""
    _require_admin(actor)
    rule = AllocationRule(**data.model_dump())
    await _check(rule, actor)
    async with db.transaction() as session:
        await repository.insert_rule(rule, session=session)
        await audit.record(
            actor=actor,
            action=f"{ENTITY}.create",
            entity_type=ENTITY,
            entity_id=str(rule.id),
            after=_summary(rule),
            session=session,
        )
    return rule


async def update_rule(*, actor: User, rule_id: str, data: RuleUpdate) -> AllocationRule:
    """Change a rule; `conditions` merge condition by condition."""
    _require_admin(actor)
    rule = await get_rule(actor=actor, rule_id=rule_id)
    changes = data.model_dump(exclude_unset=True, exclude={"conditions"})
    if data.conditions is not None:
        merged = rule.conditions.model_dump() | data.conditions.model_dump(exclude_unset=True)
        changes["conditions"] = RuleConditions.model_validate(merged)
    updated = rule.model_copy(update=changes)
    await _check(updated, actor)
    return await _save(actor, rule, updated, action=f"{ENTITY}.update")


async def deactivate_rule(*, actor: User, rule_id: str) -> AllocationRule:
    """Deleting a rule deactivates it: it stops matching, and stays on record."""
    _require_admin(actor)
    rule = await get_rule(actor=actor, rule_id=rule_id)
    return await _save(
        actor, rule, rule.model_copy(update={"active": False}), action=f"{ENTITY}.deactivate"
    )


async def reorder_rules(*, actor: User, rule_ids: list[str]) -> list[AllocationRule]:
    """Put every rule in the order given: priorities 10, 20, 30… in one transaction."""
    _require_admin(actor)
    rules = {str(rule.id): rule for rule in await repository.list_rules(include_inactive=True)}
    if len(set(rule_ids)) != len(rule_ids) or set(rule_ids) != set(rules):
        raise RuleInvalid.on("rule_ids", "rule_ids must list every allocation rule exactly once")
    now = clock.now()
    ordered = [rules[rule_id] for rule_id in rule_ids]
    async with db.transaction() as session:
        for position, rule in enumerate(ordered, start=1):
            if rule.priority == position * ORDER_STEP:
                continue
            before, rule.priority, rule.updated_at = rule.priority, position * ORDER_STEP, now
            await repository.set_rule_fields(
                rule.id, {"priority": rule.priority, "updated_at": now}, session=session
            )
            await audit.record(
                actor=actor,
                action=f"{ENTITY}.reorder",
                entity_type=ENTITY,
                entity_id=str(rule.id),
                before={"priority": before},
                after={"priority": rule.priority},
                session=session,
            )
    return ordered


async def _save(
    actor: User, rule: AllocationRule, updated: AllocationRule, *, action: str
) -> AllocationRule:
    old, new = audit.diff(_summary(rule), _summary(updated))
    if not new:
        return rule
    updated.updated_at = clock.now()
    fields = updated.model_dump(mode="json", include=set(new))
    async with db.transaction() as session:
        await repository.set_rule_fields(
            rule.id, {**fields, "updated_at": updated.updated_at}, session=session
        )
        await audit.record(
            actor=actor,
            action=action,
            entity_type=ENTITY,
            entity_id=str(rule.id),
            before=old,
            after=new,
            session=session,
        )
    return updated
