"""Use cases on cases: who may see and work them, and every legal move between phases.

Other domains change a case only through these functions, inside their own
transaction (`session`), so their record and the case's new state commit together.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit.service import Actor
from backend.cases import aggregates, repository
from backend.cases.contacts import ContactDigest
from backend.cases.errors import CaseClosed, CaseNotFound, IllegalTransition, NotCaseHolder
from backend.cases.models import Case, CaseEvent, Outcome, PartStatus
from backend.cases.phases import OPEN_VALUES, RECALLABLE, Phase, allowed
from backend.cases.schemas import CaseRead, CaseWithdraw
from backend.cases.sections import Section
from backend.core import clock, db, figures
from backend.core.figures import By, Reach
from backend.core.ids import object_ids
from backend.users import service as users
from backend.users.models import Role, User


def scope_filter(actor: User) -> dict[str, Any]:
    """The cases an actor may see, as a query: officers theirs, supervisors their DRC's."""
    if actor.is_operator:
        return {}
    if actor.role is Role.DRC_SUPERVISOR:
        return {"drc_id": actor.drc_id}
    return {"ro_id": actor.id}


async def keep_case_lists() -> tuple[int, int]:
    """Repair what the case lists and counts read: the open flag and name words of every
    case, then every officer's counts and count shard recounted from the cases. Returns
    (cases given a list field, officers holding cases)."""
    flagged = await repository.keep_list_fields()
    return flagged, await repository.rebuild_officer_counts()


def can_see(actor: User, case: Case) -> bool:
    if actor.is_operator:
        return True
    if actor.role is Role.DRC_SUPERVISOR:
        return case.drc_id is not None and case.drc_id == actor.drc_id
    return case.ro_id is not None and case.ro_id == actor.id


def can_manage(actor: User, case: Case) -> bool:
    """Operator staff, or the supervisor of the DRC holding the case."""
    return actor.is_operator or (
        actor.role is Role.DRC_SUPERVISOR
        and case.drc_id is not None
        and case.drc_id == actor.drc_id
    )


async def get_for(*, actor: User, case_id: str, session: AsyncClientSession | None = None) -> Case:
    """The case if the actor may see it; otherwise CaseNotFound, so ids do not leak."""
    case = await repository.get(case_id, session=session)
    if case is None or not can_see(actor, case):
        raise CaseNotFound(f"No case {case_id}")
    return case


async def within_reach(
    *, actor: User, case_ids: list[str], phase: Phase | None = None
) -> list[Case]:
    """The cases among `case_ids` the actor may see, optionally only those in `phase`."""
    ids = object_ids(case_ids)
    if not ids:
        return []
    filters: dict[str, Any] = {"_id": {"$in": ids}, **scope_filter(actor)}
    if phase is not None:
        filters["phase"] = phase.value
    return await repository.find(filters, sort=[("_id", 1)], limit=len(ids))


async def ids_in_phase(*, actor: User, phase: Phase) -> list[str]:
    """Ids of the cases in `phase` within the actor's reach."""
    return await repository.ids_where({**scope_filter(actor), "phase": phase.value})


async def list_in_reach(
    *, actor: User, filters: dict[str, Any], sort: list[tuple[str, int]], limit: int
) -> list[Case]:
    """Cases matching `filters` within the actor's reach; the reach always wins."""
    return await repository.find({"$and": [filters, scope_filter(actor)]}, sort=sort, limit=limit)


async def closed_ids(case_ids: list[str]) -> set[str]:
    """Which of `case_ids` are closed; for system upkeep, so no reach check."""
    ids = object_ids(case_ids)
    if not ids:
        return set()
    return set(await repository.ids_where({"_id": {"$in": ids}, "phase": Phase.CLOSED.value}))


def require_worker(actor: User, case: Case) -> None:
    """Field work is recorded by the officer holding the case, or their supervisor."""
    if case.phase is Phase.CLOSED:
        raise CaseClosed(f"Case {case.id} is closed")
    if actor.role is Role.RECOVERY_OFFICER and case.ro_id == actor.id:
        return
    if actor.role is Role.DRC_SUPERVISOR and case.drc_id == actor.drc_id:
        return
    raise NotCaseHolder("Only the officer holding the case or their supervisor may do this")


async def open_case(
    *, actor: Actor | None, case: Case, keys: list[str], session: AsyncClientSession
) -> Case:
    """Open a new case in the pool (used by intake)."""
    case.history = [CaseEvent(action="case.open", actor_uid=_uid(actor), to_phase=case.phase)]
    return await repository.insert(case, keys, actor=actor, session=session)


async def open_cases(
    *, actor: Actor | None, cases: list[tuple[Case, list[str]]], session: AsyncClientSession
) -> tuple[list[Case], dict[str, str]]:
    """Open many cases at once (bulk intake); those whose keys are held are skipped.

    Returns the opened cases (their ids set) and the held keys as {key: case_id}.
    """
    for case, _ in cases:
        case.history = [CaseEvent(action="case.open", actor_uid=_uid(actor), to_phase=case.phase)]
    return await repository.insert_many_open(cases, actor=actor, session=session)


async def move(
    *,
    actor: Actor | None,
    case: Case,
    to: Phase,
    action: str,
    changes: dict[str, Any] | None = None,
    note: str | None = None,
    sections: Iterable[Section] | None = None,
    session: AsyncClientSession,
) -> Case:
    """Move the case to another phase, refusing any move the state machine does not allow.

    `sections`: what the caller changed beside the case (`repository.apply`)."""
    if not allowed(case.phase, to):
        raise IllegalTransition(
            f"A {case.phase} case cannot move to {to}", phase=case.phase.value, target=to.value
        )
    fields = {**(changes or {}), "phase": to}
    if to is Phase.CLOSED:
        fields.setdefault("outcome", Outcome.RECOVERED)
        fields["closed_at"] = clock.now()
    event = CaseEvent(
        action=action,
        actor_uid=_uid(actor),
        from_phase=case.phase,
        to_phase=to,
        drc_id=fields.get("drc_id", case.drc_id),
        ro_id=fields.get("ro_id", case.ro_id),
        note=note,
    )
    return await repository.apply(
        case,
        actor=actor,
        action=action,
        changes=fields,
        event=event,
        sections=sections,
        session=session,
    )


async def update(
    *,
    actor: Actor | None,
    case: Case,
    action: str,
    changes: dict[str, Any],
    note: str | None = None,
    sections: Iterable[Section] | None = None,
    session: AsyncClientSession,
) -> Case:
    """Change fields of an open case without moving its phase (`sections` as for `move`)."""
    if case.phase is Phase.CLOSED:
        raise CaseClosed(f"Case {case.id} is closed")
    event = (
        CaseEvent(
            action=action,
            actor_uid=_uid(actor),
            drc_id=changes.get("drc_id"),
            ro_id=changes.get("ro_id"),
            note=note,
        )
        if note
        else None
    )
    return await repository.apply(
        case,
        actor=actor,
        action=action,
        changes=changes,
        event=event,
        sections=sections,
        session=session,
    )


# Retention: closed cases leave for the archive; customers long gone lose their name.


async def remove_closed(
    *, actor: Actor | None, case: Case, session: AsyncClientSession
) -> dict[str, Any]:
    """Take a closed case out of the live cases (its archive copy is the caller's); the
    stored document. Its officer's app loses it; CaseChanged if it changed since read."""
    if case.phase is not Phase.CLOSED:
        raise IllegalTransition(
            f"Case {case.id} is open", phase=case.phase.value, target="archived"
        )
    return await repository.remove_closed(case, actor=actor, session=session)


def closed_ids_before(cutoff: datetime, *, size: int) -> AsyncIterator[list[str]]:
    """Ids of the cases closed before `cutoff`, `size` at a time, with no reach check."""
    filters = {"is_open": False, "closed_at": {"$lt": cutoff}}
    return repository.id_batches(filters, size=size)


async def customers_active_since(customer_ids: list[str], cutoff: datetime) -> set[str]:
    """Those of these customers with an open case, or a case changed since `cutoff`."""
    return await repository.customers_active_since(customer_ids, cutoff)


async def rename_customer(
    *, actor: Actor | None, customer_id: str, name: str, session: AsyncClientSession
) -> int:
    """Write the customer's (minimised) name over every case of theirs; how many."""
    renamed = 0
    filters = {"customer_id": customer_id, "customer_name": {"$ne": name}}
    for case in await repository.find(filters, sort=[("_id", 1)], limit=10_000):
        await repository.apply(
            case,
            actor=actor,
            action="case.customer_minimised",
            changes={"customer_name": name},
            event=None,
            sections=[Section.CUSTOMER],
            session=session,
        )
        renamed += 1
    return renamed


async def complete_part(
    *, actor: Actor | None, case: Case, part: str, session: AsyncClientSession
) -> Case:
    """Mark the arrears or the CPE part done; the case closes when nothing is left open."""
    field = {"arrears": "arrears_status", "cpe": "cpe_status"}[part]
    case = await update(
        actor=actor,
        case=case,
        action=f"case.{part}_done",
        changes={field: PartStatus.DONE},
        session=session,
    )
    parts = (case.arrears_status, case.cpe_status)
    if all(p in (PartStatus.DONE, PartStatus.NOT_REQUIRED) for p in parts):
        case = await move(
            actor=actor,
            case=case,
            to=Phase.CLOSED,
            action="case.close",
            changes={"outcome": Outcome.RECOVERED},
            note="every part of the case is complete",
            session=session,
        )
    return case


async def withdraw(
    *, actor: User, case: Case, data: CaseWithdraw, session: AsyncClientSession | None = None
) -> CaseRead:
    """Operator staff withdraw an open case (e.g. settled directly with the operator)."""
    async with db.transaction(session) as txn:
        if not actor.is_operator:
            raise NotCaseHolder("Only operator staff withdraw cases")
        case = await move(
            actor=actor,
            case=case,
            to=Phase.CLOSED,
            action="case.withdraw",
            changes={"outcome": Outcome.WITHDRAWN},
            note=data.reason,
            session=txn,
        )
    return detail_of(case)


def detail_of(case: Case) -> CaseRead:
    """The case as the API shows it."""
    return CaseRead.model_validate(
        {**case.model_dump(), "id": str(case.id), "age_days": case.age_days()}
    )


async def touch(
    case: Case,
    *,
    action: str,
    sections: Iterable[Section],
    read_at: int | None = None,
    session: AsyncClientSession,
) -> None:
    """Something kept beside the case changed (equipment, a hearing, a request): its
    officer's app and the mirror must hear of it, and which `sections` of the case's
    read model it changed. When the case itself changed since version `read_at`, its own
    change already said so: the caller passed it these sections, or none (anything)."""
    if read_at is None or case.version == read_at:
        await repository.note(case, action, sections=sections, session=session)


async def touch_id(
    case_id: str, *, action: str, sections: Iterable[Section], session: AsyncClientSession
) -> None:
    """`touch` for system sweeps that hold only the case's id."""
    case = await repository.get(case_id, session=session)
    if case is not None:
        await repository.note(case, action, sections=sections, session=session)


async def touch_customer(customer_id: str, *, action: str, session: AsyncClientSession) -> None:
    """The customer's details changed: every open case of theirs shows them."""
    filters = {"customer_id": customer_id, "phase": {"$in": OPEN_VALUES}}
    for case in await repository.find(filters, sort=[("_id", 1)], limit=1000):
        await repository.note(case, action, sections=[Section.CUSTOMER], session=session)


def _uid(actor: Actor | None) -> str | None:
    return actor.id if actor is not None else None


# Reads for system processes (allocation, recall, distribution). They apply no reach
# check, so callers acting for a user check `can_see`/`can_manage` themselves.


async def get_unscoped(case_id: str, *, session: AsyncClientSession | None = None) -> Case | None:
    """A case by id with no reach check, for system processes."""
    return await repository.get(case_id, session=session)


async def of_account(account_id: str, *, session: AsyncClientSession | None = None) -> list[Case]:
    """Every case of a billing account, open or closed, with no reach check."""
    return await repository.of_account(account_id, session=session)


async def of_accounts(account_ids: list[str]) -> dict[str, list[Case]]:
    """Every case of each of these billing accounts, in one query, with no reach check."""
    found: dict[str, list[Case]] = {account_id: [] for account_id in account_ids}
    for case in await repository.of_accounts(account_ids):
        found.setdefault(case.account_id, []).append(case)
    return found


async def open_counts(
    *, field: str, ids: list[str], session: AsyncClientSession | None = None
) -> dict[str, int]:
    """Open cases held per DRC (`field="drc_id"`) or per officer (`field="ro_id"`)."""
    if field not in ("drc_id", "ro_id"):
        raise ValueError(f"cannot count open cases by {field}")
    return await repository.count_open_by(field, ids, session=session)


async def pool_ids(*, limit: int) -> list[str]:
    """Ids of the cases in the pool (NEW), oldest first."""
    return await repository.ids_sorted({"phase": Phase.NEW.value}, sort=[("_id", 1)], limit=limit)


def ids_without_contacts(*, batch: int) -> AsyncIterator[list[str]]:
    """Ids of cases keeping no contact digest, `batch` at a time, from one pass over the
    cases (paging by `_id` would scan them all again for every page on SecantusDB)."""
    return repository.id_batches({"contacts": None}, size=batch)


async def keep_contacts(digests: dict[str, ContactDigest]) -> int:
    """Store digests on the cases that keep none yet (see repository.keep_contacts)."""
    return await repository.keep_contacts(digests)


async def expired_ids(*, now: datetime, limit: int) -> list[str]:
    """Ids of cases a DRC holds past their validity period, longest expired first."""
    filters = {
        "phase": {"$in": sorted(p.value for p in RECALLABLE)},
        "validity_until": {"$lte": now},
    }
    return await repository.ids_sorted(
        filters, sort=[("validity_until", 1), ("_id", 1)], limit=limit
    )


async def awaiting_officer(*, drc_id: str, limit: int) -> list[Case]:
    """A DRC's allocated cases that no officer holds yet, oldest first."""
    return await repository.find(
        {"drc_id": drc_id, "phase": Phase.ALLOCATED.value}, sort=[("_id", 1)], limit=limit
    )


async def follow_ups_due(*, until: datetime, limit: int) -> list[Case]:
    """Open cases an officer holds whose next follow-up falls on or before `until`."""
    filters = {
        "phase": {"$ne": Phase.CLOSED.value},
        "ro_id": {"$ne": None},
        "next_follow_up": {"$lte": until},
    }
    return await repository.find(filters, sort=[("next_follow_up", 1), ("_id", 1)], limit=limit)


async def validity_ending(*, now: datetime, until: datetime, limit: int) -> list[Case]:
    """Held cases whose validity period ends between `now` and `until` (they will be
    recalled then unless extended)."""
    filters = {
        "phase": {"$in": sorted(p.value for p in RECALLABLE)},
        "validity_until": {"$gt": now, "$lte": until},
    }
    return await repository.find(filters, sort=[("validity_until", 1), ("_id", 1)], limit=limit)


async def drc_counts(drc_id: str) -> dict[str | None, dict[str, int]]:
    """A DRC's cases per officer (None: allocated, no officer yet) and phase.

    From the officers' kept counters and one indexed count, not a pass over the DRC's
    cases: the mirror rebuilds this on every page that touches the DRC.
    """
    officers = await users.officer_ids_of(drc_id)
    held = await repository.officer_counts_of(officers)
    counts: dict[str | None, dict[str, int]] = {
        uid: phases for uid, phases in held.items() if any(phases.values())
    }
    waiting = await repository.count_by_phase({"drc_id": drc_id, "phase": Phase.ALLOCATED.value})
    if waiting:
        counts[None] = waiting
    return counts


async def open_case_ids_of(ro_id: str) -> list[str]:
    """Ids of the open cases an officer holds (for mirror checks; no reach check)."""
    filters = {"ro_id": ro_id, "phase": {"$in": OPEN_VALUES}}
    return await repository.ids_where(filters)


async def many_by_id(case_ids: list[str]) -> list[Case]:
    """Cases by id with no reach check, in no particular order, for system processes
    (reminders, the mirror's batches of hundreds)."""
    return await repository.by_ids(object_ids(case_ids))


@dataclass(frozen=True)
class OfficerLoad:
    """What an officer's summary counts: kept phase counts and follow-ups due."""

    counts: dict[str, int]
    follow_ups_due: int


async def officer_loads(ro_ids: list[str], *, until: datetime) -> dict[str, OfficerLoad]:
    """`OfficerLoad` of many officers (the mirror's summaries): the kept counters, and one
    index range per officer for the follow-ups due."""
    counts = await repository.officer_counts_of(ro_ids)
    due = await asyncio.gather(*(repository.follow_ups_due_of(u, until=until) for u in ro_ids))
    return {uid: OfficerLoad(counts.get(uid, {}), n) for uid, n in zip(ro_ids, due, strict=True)}


async def open_holders(case_ids: Iterable[str]) -> dict[str, str]:
    """The officer holding each open, held case among `case_ids` (no reach check)."""
    ids = object_ids(dict.fromkeys(case_ids))
    return await repository.open_holders(ids) if ids else {}


# Figures for performance: a case counts for the DRC and officer holding it now.
def _reached(reach: Reach) -> dict[str, Any]:
    return reach.match(drc="drc_id", officer="ro_id")


async def placed_by_month(*, reach: Reach, until: datetime) -> dict[str, int]:
    """Arrears (minor units) of the cases held, per month they were opened, before `until`."""
    filters = {**_reached(reach), "created_at": {"$lt": until}}
    return await aggregates.arrears_by(figures.month_of("created_at"), filters)


def _band_starts(bands: Sequence[int], now: datetime) -> list[datetime]:
    return [now - timedelta(days=days + 1) for days in bands]


async def open_by_age(
    *, reach: Reach, bands: Sequence[int], now: datetime
) -> list[tuple[int, int]]:
    """Open cases held and their outstanding (minor units) per age band: band i holds the
    arrears overdue at most `bands[i]` days (over the one before), a last band the rest."""
    found: dict[int, tuple[int, int]] = {}
    for (band, _), (n, owed) in (await open_by_age_and_currency(reach, bands, now)).items():
        count, total = found.get(band, (0, 0))
        found[band] = (count + n, total + owed)
    return [found.get(band, (0, 0)) for band in range(len(bands) + 1)]


async def open_by_age_and_currency(
    reach: Reach, bands: Sequence[int], now: datetime
) -> dict[tuple[int, str], tuple[int, int]]:
    """`open_by_age` per (band, currency): the cases and outstanding of each."""
    return await aggregates.open_by_age(_reached(reach), since=_band_starts(bands, now))


async def snapshot_open(*, target: str, day: str, bands: Sequence[int], now: datetime) -> None:
    """Each open case's age band, holder and outstanding on `day`, written by the database
    into the `target` collection (the reports' daily snapshots)."""
    await aggregates.snapshot_open(target, day=day, since=_band_starts(bands, now))


async def held_figures(
    *, by: By, reach: Reach, start: datetime, end: datetime
) -> list[dict[str, Any]]:
    """Cases placed in [start, end) per holder and currency: cases, arrears, outstanding
    and how many closed recovered (rows `{_id: {holder, currency}, ...}`)."""
    filters = {**_reached(reach), "created_at": {"$gte": start, "$lt": end}}
    return await aggregates.held_by("$ro_id" if by is By.OFFICER else "$drc_id", filters)


async def largest_open(*, reach: Reach, limit: int) -> list[dict[str, Any]]:
    """The open cases within reach owing most, largest first."""
    return await aggregates.largest_open(_reached(reach), limit=limit)


async def cpe_items_by_type(*, reach: Reach) -> dict[str, int]:
    """Equipment items to recover on the cases within reach, per item type."""
    return await aggregates.cpe_items_by_type(_reached(reach))


def reach_filter(reach: Reach) -> dict[str, Any]:
    """The reach as a query on cases, for a `$lookup` from another domain's records."""
    return _reached(reach)
