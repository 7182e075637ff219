"""Handing a DRC's cases to its recovery officers: one at a time by a supervisor, or all
waiting cases at once by the DRC's assignment preference."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from backend.allocation import repository
from backend.allocation.errors import (
    AssignmentForbidden,
    DrcRequired,
    NotAssignable,
    NotAssigned,
    OfficerUnavailable,
)
from backend.allocation.schemas import (
    Assigned,
    AssignmentCreate,
    AssignmentSummary,
    CaseResult,
    DistributionSummary,
)
from backend.cases import service as cases
from backend.cases.errors import CaseChanged, CaseNotFound, IllegalTransition
from backend.cases.models import Case
from backend.cases.phases import WITH_OFFICER, Phase
from backend.cases.schemas import CaseRead
from backend.core import db
from backend.core.errors import DomainError, Forbidden
from backend.core.logging import get_logger
from backend.drcs import service as drcs
from backend.drcs.models import AssignmentPreference, Drc
from backend.notifications import service as notifications
from backend.users import service as users
from backend.users.models import Role, User

log = get_logger("debtx.allocation")


def _require_manager(actor: User, case: Case) -> None:
    if not cases.can_manage(actor, case):
        raise AssignmentForbidden("Only operator staff or the DRC's supervisor assign its cases")


async def _officer_of(drc_id: str | None, ro_id: str) -> User:
    """The named officer, if an active recovery officer of the DRC holding the case."""
    officer = await users.by_uid(ro_id)
    if (
        officer is None
        or officer.role is not Role.RECOVERY_OFFICER
        or officer.drc_id != drc_id
        or not officer.active
    ):
        raise OfficerUnavailable(
            f"{ro_id} is not an active recovery officer of {drc_id}", ro_id=ro_id
        )
    return officer


async def assign(*, actor: User, case: Case, data: AssignmentCreate) -> CaseRead:
    """Give an allocated case to an officer, or move a worked case to another officer."""
    async with db.transaction() as session:
        _require_manager(actor, case)
        if case.phase is not Phase.ALLOCATED and case.phase not in WITH_OFFICER:
            raise NotAssignable(f"A {case.phase.value} case has no DRC officer to hand it to")
        if case.ro_id == data.ro_id:
            return cases.detail_of(case)
        officer = await _officer_of(case.drc_id, data.ro_id)
        previous = case.ro_id
        if case.phase is Phase.ALLOCATED:
            case = await cases.move(
                actor=actor,
                case=case,
                to=Phase.ASSIGNED,
                action="case.assign",
                changes={"ro_id": officer.id},
                note=f"Assigned to {officer.id}",
                session=session,
            )
        else:
            case = await cases.update(
                actor=actor,
                case=case,
                action="case.reassign",
                changes={"ro_id": officer.id},
                note=f"Reassigned from {case.ro_id} to {officer.id}",
                session=session,
            )
        pending = await notifications.case_changed_hands(
            actor=actor, case=case, previous_ro_id=previous, session=session
        )
    await notifications.dispatch(pending)
    return cases.detail_of(case)


async def assign_many(
    *, actor: User, drc_id: str | None, case_ids: Sequence[str], ro_id: str
) -> AssignmentSummary:
    """Hand several cases of one DRC to one of its officers, each as `assign` does.

    The request is checked whole first (the DRC the actor's to manage, the officer one of
    its active officers, every case within reach and held by it), so a bad one changes
    nothing; then each case is assigned, or refused with its problem."""
    drc = await _target_drc(actor, drc_id)
    officer = await _officer_of(drc.id, ro_id)
    wanted = list(dict.fromkeys(case_ids))
    found = {str(case.id): case for case in await cases.within_reach(actor=actor, case_ids=wanted)}
    if missing := [case_id for case_id in wanted if case_id not in found]:
        raise CaseNotFound(f"No case {missing[0]}")
    if foreign := [case_id for case_id, case in found.items() if case.drc_id != drc.id]:
        raise OfficerUnavailable(
            f"{ro_id} is not an officer of the DRC holding case {foreign[0]}", ro_id=ro_id
        )
    summary = AssignmentSummary(drc_id=drc.id, ro_id=officer.id)
    for case_id in wanted:
        if found[case_id].ro_id == officer.id:
            summary.unchanged.append(case_id)
            continue
        try:
            await assign(actor=actor, case=found[case_id], data=AssignmentCreate(ro_id=officer.id))
        except DomainError as exc:  # this case's own problem (its phase, a race): the rest go on
            summary.refused.append(CaseResult(case_id=case_id, drc_id=drc.id, reason=exc.detail))
            continue
        summary.assigned.append(Assigned(case_id=case_id, ro_id=officer.id))
    log.info("allocation.assign_many.done", drc_id=drc.id, assigned=len(summary.assigned))
    return summary


async def unassign(*, actor: User, case: Case) -> CaseRead:
    """Take an assigned case back from its officer; the DRC still holds it."""
    async with db.transaction() as session:
        _require_manager(actor, case)
        if case.ro_id is None:
            raise NotAssigned(f"Case {case.id} has no officer")
        previous = case.ro_id
        case = await cases.move(
            actor=actor,
            case=case,
            to=Phase.ALLOCATED,
            action="case.unassign",
            changes={"ro_id": None},
            note=f"Unassigned from {case.ro_id}",
            session=session,
        )
        pending = await notifications.case_changed_hands(
            actor=actor, case=case, previous_ro_id=previous, session=session
        )
    await notifications.dispatch(pending)
    return cases.detail_of(case)


def next_in_turn(officers: Sequence[User], last_ro_id: str | None) -> User:
    """Round robin over officers in id order, continuing after the last one served."""
    return next((o for o in officers if last_ro_id is None or o.id > last_ro_id), officers[0])


def least_loaded(officers: Sequence[User], load: Mapping[str, int]) -> User:
    """The officer holding the fewest open cases; ties go to the lower id."""
    return min(officers, key=lambda o: (load.get(o.id, 0), o.id))


def by_area(officers: Sequence[User], load: Mapping[str, int], region: str | None) -> User:
    """The least loaded officer working the case's region, else the least loaded of all."""
    wanted = region.casefold() if region else None
    local = [o for o in officers if wanted and o.area and o.area.casefold() == wanted]
    return least_loaded(local or officers, load)


def _pick(
    preference: AssignmentPreference,
    officers: Sequence[User],
    load: Mapping[str, int],
    case: Case,
    last_ro_id: str | None,
) -> User:
    if preference is AssignmentPreference.ROUND_ROBIN:
        return next_in_turn(officers, last_ro_id)
    if preference is AssignmentPreference.BY_AREA:
        return by_area(officers, load, case.region)
    return least_loaded(officers, load)


async def _target_drc(actor: User, drc_id: str | None) -> Drc:
    """Supervisors distribute their own DRC's cases; operator staff name the DRC."""
    if actor.role is Role.DRC_SUPERVISOR:
        drc_id = drc_id or actor.drc_id
    elif not actor.is_operator:
        raise Forbidden("Only supervisors and operator staff distribute cases")
    elif drc_id is None:
        raise DrcRequired("Name the DRC whose cases to distribute")
    assert drc_id is not None
    return await drcs.get_for(actor=actor, drc_id=drc_id)


async def distribute(*, actor: User, drc_id: str | None, limit: int) -> DistributionSummary:
    """Assign a DRC's waiting (allocated) cases to its officers by its assignment preference."""
    if limit < 1:
        raise ValueError("limit must be at least 1")  # MongoDB reads a limit of 0 as none
    drc = await _target_drc(actor, drc_id)
    summary = DistributionSummary(drc_id=drc.id, preference=drc.assignment_preference)
    if drc.assignment_preference is AssignmentPreference.MANUAL:
        summary.note = "The DRC assigns its cases by hand; nothing was assigned"
        return summary
    officers = sorted(await users.officers_of(drc.id), key=lambda o: o.id)
    if not officers:
        summary.note = "The DRC has no active recovery officers; nothing was assigned"
        return summary
    waiting = await cases.awaiting_officer(drc_id=drc.id, limit=limit)
    load = await cases.open_counts(field="ro_id", ids=[o.id for o in officers])
    last = await repository.round_robin_cursor(drc.id)
    for case in waiting:
        officer = _pick(drc.assignment_preference, officers, load, case, last)
        problem = await _hand_over(actor, case, officer, drc)
        if problem is not None:
            summary.skipped.append(CaseResult(case_id=str(case.id), reason=problem))
            continue
        summary.assigned.append(Assigned(case_id=str(case.id), ro_id=officer.id))
        load[officer.id] = load.get(officer.id, 0) + 1
        last = officer.id
    if not waiting:
        summary.note = "No allocated cases are waiting for an officer"
    log.info("allocation.distribute.done", drc_id=drc.id, assigned=len(summary.assigned))
    return summary


async def _hand_over(actor: User, case: Case, officer: User, drc: Drc) -> str | None:
    """Assign one case as listed; a case that changed since is skipped, not forced."""
    try:
        async with db.transaction() as session:
            assigned = await cases.move(
                actor=actor,
                case=case,
                to=Phase.ASSIGNED,
                action="case.assign",
                changes={"ro_id": officer.id},
                note=f"Assigned to {officer.id} ({drc.assignment_preference.value})",
                session=session,
            )
            if drc.assignment_preference is AssignmentPreference.ROUND_ROBIN:
                await repository.move_round_robin_cursor(drc.id, officer.id, session=session)
            pending = await notifications.case_changed_hands(
                actor=actor, case=assigned, previous_ro_id=None, session=session
            )
    except (CaseChanged, IllegalTransition, db.WriteConflict):
        return "the case changed since it was listed"
    await notifications.dispatch(pending)
    return None
