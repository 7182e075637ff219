"""Segments: created, changed, ordered and removed by operator staff; accounts placed in
the first segment whose rules they meet, unless an operator placed them by hand."""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.core import clock, db
from backend.core.errors import field_problem
from backend.core.settings import get_settings
from backend.segments import repository, rules
from backend.segments.errors import SegmentInvalid, SegmentNotFound, SegmentOrderInvalid
from backend.segments.models import AccountFacts, Segment, SegmentAssignment, SegmentOverride
from backend.segments.schemas import (
    AssignmentRead,
    OverrideCreate,
    SegmentCreate,
    SegmentOrder,
    SegmentRead,
    SegmentUpdate,
)
from backend.users.models import User

ENTITY = "segment"


def read_of(segment: Segment) -> SegmentRead:
    return SegmentRead.model_validate(segment.model_dump())


def _check(data: SegmentCreate | SegmentUpdate) -> None:
    problems = rules.check(data.rules, currencies=get_settings().intake.currencies)
    if problems:
        raise SegmentInvalid(
            f"{len(problems)} problem(s) with the segment's rules",
            errors=[field_problem(f, r, SegmentInvalid.code) for f, r in problems],
        )


async def list_segments() -> list[SegmentRead]:
    """Every segment, in the order they are tried."""
    return [read_of(s) for s in await repository.all_segments()]


async def get_segment(*, segment_id: str) -> SegmentRead:
    return read_of(await _require(segment_id))


async def _require(segment_id: str, session: AsyncClientSession | None = None) -> Segment:
    found = await repository.get(segment_id, session=session)
    if found is None:
        raise SegmentNotFound(f"No segment {segment_id}")
    return found


async def create_segment(*, actor: User, data: SegmentCreate) -> SegmentRead:
    """A new segment; without a priority it is tried after every other one."""
    _check(data)
    async with db.transaction() as session:
        if await repository.get(data.id, session=session) is not None:
            raise SegmentInvalid.on("id", f"Segment {data.id} exists already")
        existing = await repository.all_segments(session=session)
        priority = data.priority
        if priority is None:
            priority = max((s.priority for s in existing), default=-1) + 1
        segment = Segment(
            id=data.id,
            name=data.name,
            priority=priority,
            rules=data.rules,
            updated_by=actor.id,
        )
        await repository.insert(segment, session=session)
        await _audit(actor, "segment.create", segment.id, None, segment, session)
    return read_of(segment)


async def update_segment(*, actor: User, segment_id: str, data: SegmentUpdate) -> SegmentRead:
    """New name and rules; the segment's version goes up."""
    _check(data)
    async with db.transaction() as session:
        before = await _require(segment_id, session)
        after = before.model_copy(
            update={
                "name": data.name,
                "rules": data.rules,
                "version": before.version + 1,
                "updated_by": actor.id,
                "updated_at": clock.now(),
            }
        )
        await repository.replace(after, session=session)
        await _audit(actor, "segment.update", segment_id, before, after, session)
    return read_of(after)


async def delete_segment(*, actor: User, segment_id: str) -> None:
    async with db.transaction() as session:
        before = await _require(segment_id, session)
        await repository.delete(segment_id, session=session)
        await _audit(actor, "segment.delete", segment_id, before, None, session)


async def reorder(*, actor: User, data: SegmentOrder) -> list[SegmentRead]:
    """Set the order segments are tried in; the list must name each segment once."""
    async with db.transaction() as session:
        existing = {s.id: s for s in await repository.all_segments(session=session)}
        if sorted(data.ids) != sorted(existing) or len(set(data.ids)) != len(data.ids):
            raise SegmentOrderInvalid.on("ids", "List every segment exactly once")
        order = {key: index for index, key in enumerate(data.ids)}
        await repository.set_priorities(order, session=session)
        await audit.record(
            actor=actor,
            action="segment.reorder",
            entity_type=ENTITY,
            entity_id="order",
            before={"ids": list(existing)},
            after={"ids": data.ids},
            session=session,
        )
    return await list_segments()


async def _audit(
    actor: User,
    action: str,
    segment_id: str,
    before: Segment | None,
    after: Segment | None,
    session: AsyncClientSession,
) -> None:
    await audit.record(
        actor=actor,
        action=action,
        entity_type=ENTITY,
        entity_id=segment_id,
        before=before.model_dump(mode="json", exclude={"updated_at"}) if before else None,
        after=after.model_dump(mode="json", exclude={"updated_at"}) if after else None,
        session=session,
    )


# --------------------------------------------------------------------------- accounts


async def set_override(*, actor: User, account_id: str, data: OverrideCreate) -> None:
    """Place the account in a segment by hand, whatever its rules say (audited)."""
    async with db.transaction() as session:
        await _require(data.segment_id, session)
        before = await repository.override(account_id, session=session)
        found = SegmentOverride(
            id=account_id, segment_id=data.segment_id, reason=data.reason, set_by=actor.id
        )
        await repository.save_override(found, session=session)
        await audit.record(
            actor=actor,
            action="segment.override",
            entity_type="account",
            entity_id=account_id,
            before={"segment_id": before.segment_id, "reason": before.reason} if before else None,
            after={"segment_id": data.segment_id, "reason": data.reason},
            session=session,
        )


async def override_of(*, account_id: str) -> SegmentOverride | None:
    """The segment an operator placed the account in by hand, if one did."""
    return await repository.override(account_id)


async def clear_override(*, actor: User, account_id: str, reason: str) -> None:
    """Let the rules place the account again (audited)."""
    async with db.transaction() as session:
        before = await repository.override(account_id, session=session)
        if before is None or not await repository.delete_override(account_id, session=session):
            raise SegmentNotFound(f"Account {account_id} has no segment override")
        await audit.record(
            actor=actor,
            action="segment.override_cleared",
            entity_type="account",
            entity_id=account_id,
            before={"segment_id": before.segment_id, "reason": before.reason},
            after={"reason": reason},
            session=session,
        )


def classify(segments: list[Segment], facts: AccountFacts) -> tuple[str | None, str]:
    """The first segment (in priority order) whose rules the facts meet, and why."""
    for segment in sorted(segments, key=lambda s: (s.priority, s.id)):
        why = rules.matches(segment.rules, facts)
        if why is not None:
            return segment.id, f"{segment.name}: {why}"
    return None, "no segment's rules match"


async def assign(
    *,
    facts: AccountFacts,
    segments: list[Segment] | None = None,
    session: AsyncClientSession | None = None,
) -> SegmentAssignment:
    """Place the account (its override first, else the rules) and store where and why."""
    manual = await repository.override(facts.account_id, session=session)
    if manual is not None:
        found = SegmentAssignment(
            id=facts.account_id,
            segment_id=manual.segment_id,
            reason=f"override by {manual.set_by}: {manual.reason}",
            overridden=True,
        )
    else:
        if segments is None:
            segments = await repository.all_segments(session=session)
        segment_id, why = classify(segments, facts)
        found = SegmentAssignment(id=facts.account_id, segment_id=segment_id, reason=why)
    await repository.save_assignment(found, session=session)
    return found


async def all_segments() -> list[Segment]:
    """Every segment, for a run that classifies many accounts with one read."""
    return await repository.all_segments()


async def assignment_of(*, account_id: str) -> AssignmentRead:
    """The account's segment and the reason it is there."""
    found = await repository.assignment(account_id)
    if found is None:
        raise SegmentNotFound(f"Account {account_id} has not been placed in a segment yet")
    return AssignmentRead(
        account_id=found.id,
        segment_id=found.segment_id,
        reason=found.reason,
        overridden=found.overridden,
        assigned_at=found.assigned_at,
    )
