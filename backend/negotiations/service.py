"""Negotiations: contacts with the customer, and the promises to pay they produce.

Records are append-only, and each is counted in its case's contact digest (how many,
the latest few; `Case.contacts`) in the same transaction. The first record on an
assigned case moves it into negotiation; every record may move the case's next
follow-up. Payments keep promises (`apply_payment`), and a daily task breaks the ones
whose day passed unpaid.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.contacts import ContactDigest, ContactResult, NegotiationOutcome
from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.cases.sections import Section
from backend.core import clock, db
from backend.core.figures import By, Reach
from backend.core.money import Money
from backend.core.pagination import InvalidCursor, Page, decode_keyset, encode_keyset
from backend.customers import service as customers
from backend.negotiations import repository
from backend.negotiations.errors import (
    ContactTimeInvalid,
    FollowUpInvalid,
    NotAssigned,
    OutcomeInconsistent,
    PromiseInvalid,
)
from backend.negotiations.models import (
    Negotiation,
    Promise,
    PromiseShare,
    PromiseState,
    PromiseTerms,
)
from backend.negotiations.schemas import (
    ActiveNegotiation,
    NegotiationCreate,
    NegotiationRead,
    PromiseIn,
    PromiseRead,
)
from backend.users.models import User

PROMISE_HORIZON = timedelta(days=366)
_UNASSIGNED = frozenset({Phase.NEW, Phase.ALLOCATED})


def _utc(value: datetime, error: type[Exception], what: str) -> datetime:
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise error(f"{what} is out of range") from exc


async def record_negotiation(
    *,
    actor: User,
    case: Case,
    data: NegotiationCreate,
    session: AsyncClientSession | None = None,
) -> NegotiationRead:
    """Record one contact with the customer; the first moves an assigned case into negotiation."""
    promises: dict[str, Promise] = {}
    async with db.transaction(session) as txn:
        cases.require_worker(actor, case)
        if case.phase in _UNASSIGNED:
            raise NotAssigned(f"Case {case.id} has no officer yet")
        record = _new_record(actor, case, data)
        contacts = case.contacts or await _counted(str(case.id), txn)
        if data.promise is not None:
            promise = await _make_promise(actor, case, record, txn)
            promises[str(promise.id)] = promise
        await repository.insert_negotiation(record, session=txn)
        await audit.record(
            actor=actor,
            action="negotiation.record",
            entity_type="negotiation",
            entity_id=str(record.id),
            after=_summary(record),
            drc_id=case.drc_id,
            session=txn,
        )
        await _advance_case(actor, case, record, contacts, txn)
        if record.outcome is NegotiationOutcome.DISPUTE_RAISED:
            assert record.dispute_reason is not None  # _check_outcome
            await customers.hold_for_field_dispute(
                actor=actor, customer_id=case.customer_id, reason=record.dispute_reason, session=txn
            )
    return read_of(record, promises)


async def _counted(case_id: str, session: AsyncClientSession) -> ContactDigest:
    """The digest of a case that has none kept yet, from its records."""
    found = await repository.digests_from_records([case_id], session=session)
    return found.get(case_id) or ContactDigest()


def _changed(record: Negotiation) -> list[Section]:
    """What a recorded contact changes beside the case: its history, and the open
    promises when it made one."""
    if record.promise is None:
        return [Section.NEGOTIATIONS]
    return [Section.NEGOTIATIONS, Section.PROMISES]


def _new_record(actor: User, case: Case, data: NegotiationCreate) -> Negotiation:
    """The record to store, once the rules a contact must meet are checked."""
    contacted_at = db.as_stored(_utc(data.contacted_at, ContactTimeInvalid, "contacted_at"))
    if contacted_at > clock.now() + clock.DEVICE_CLOCK_SKEW:
        raise ContactTimeInvalid("contacted_at is in the future")
    if contacted_at < case.created_at - clock.DEVICE_CLOCK_SKEW:
        raise ContactTimeInvalid("contacted_at is before the case was opened")
    follow_up = None
    if data.next_follow_up is not None:
        follow_up = _utc(data.next_follow_up, FollowUpInvalid, "next_follow_up")
        if follow_up <= contacted_at:
            raise FollowUpInvalid("next_follow_up must come after the contact")
    _check_outcome(data)
    promise = None
    if data.promise is not None:
        promise = _check_promise(case, data.promise, contacted_at.date())
    return Negotiation(
        id=ObjectId(),
        case_id=str(case.id),
        drc_id=case.drc_id,
        officer_id=actor.id,
        contacted_at=contacted_at,
        channel=data.channel,
        result=data.result,
        outcome=data.outcome,
        promise=promise,
        dispute_reason=data.dispute_reason,
        notes=data.notes,
        next_follow_up=follow_up,
    )


def _check_outcome(data: NegotiationCreate) -> None:
    if (data.outcome is NegotiationOutcome.PROMISE_TO_PAY) != (data.promise is not None):
        raise OutcomeInconsistent("`promise` goes with the outcome promise_to_pay, and only it")
    if (data.outcome is NegotiationOutcome.DISPUTE_RAISED) != (data.dispute_reason is not None):
        raise OutcomeInconsistent("`dispute_reason` goes with dispute_raised, and only it")
    if (data.outcome is NegotiationOutcome.UNREACHABLE) == (data.result is ContactResult.REACHED):
        raise OutcomeInconsistent("the outcome is unreachable exactly when the customer was not")


def _check_promise(case: Case, terms: PromiseIn, contact_day: date) -> PromiseTerms:
    """A promise due on the contact day counts: it is due at the end of that day."""
    if terms.amount.currency != case.outstanding.currency:
        raise PromiseInvalid(f"the promise must be in {case.outstanding.currency}")
    if terms.amount.amount <= 0:
        raise PromiseInvalid("the promised amount must be above zero")
    if not case.outstanding.covers(terms.amount):
        raise PromiseInvalid(f"the promise exceeds the outstanding {case.outstanding}")
    if not contact_day <= terms.due_date <= contact_day + PROMISE_HORIZON:
        raise PromiseInvalid("the due date must fall between the contact day and a year after")
    return PromiseTerms(amount=terms.amount, due_date=terms.due_date)


async def _make_promise(
    actor: User, case: Case, record: Negotiation, session: AsyncClientSession
) -> Promise:
    assert record.promise is not None
    promise = Promise(
        case_id=str(case.id),
        negotiation_id=str(record.id),
        officer_id=actor.id,
        drc_id=case.drc_id,
        amount=record.promise.amount,
        due_date=record.promise.due_date,
        paid=Money.zero(record.promise.amount.currency),
    )
    await repository.insert_promise(promise, session=session)
    record.promise_id = str(promise.id)
    await audit.record(
        actor=actor,
        action="promise.make",
        entity_type="promise",
        entity_id=str(promise.id),
        after=_promise_summary(promise),
        drc_id=case.drc_id,
        session=session,
    )
    return promise


def _counted_changes(case: Case, record: Negotiation, contacts: ContactDigest) -> dict[str, Any]:
    """The contact counted into the digest, and the follow-up it sets, if any."""
    follow_up = record.next_follow_up
    if follow_up is None and record.promise is not None:
        follow_up = repository.midnight(record.promise.due_date)
    newest = contacts.latest is None or record.contacted_at >= contacts.latest
    changes: dict[str, Any] = {"contacts": contacts.counting(record.brief())}
    if newest and follow_up is not None and follow_up != case.next_follow_up:
        changes["next_follow_up"] = follow_up
    return changes


async def _advance_case(
    actor: User,
    case: Case,
    record: Negotiation,
    contacts: ContactDigest,
    session: AsyncClientSession,
) -> None:
    """Count the contact on the case (`contacts`: its digest before this one); the first
    moves an assigned case into negotiation, the newest sets the follow-up.

    A record without a follow-up of its own follows up on its promise's due day, or
    leaves the case's follow-up as it was. Records synced late never move it back.
    """
    changes = _counted_changes(case, record, contacts)
    if case.phase is Phase.ASSIGNED:
        await cases.move(
            actor=actor,
            case=case,
            to=Phase.NEGOTIATION,
            action="negotiation.start",
            changes=changes,
            note=f"first contact recorded: {record.outcome.value}",
            sections=_changed(record),
            session=session,
        )
        return
    moved = "next_follow_up" in changes
    await cases.update(
        actor=actor,
        case=case,
        action="negotiation.follow_up" if moved else "negotiation.contact",
        changes=changes,
        sections=_changed(record),
        session=session,
    )


async def list_negotiations(*, case: Case, cursor: str | None, limit: int) -> Page[NegotiationRead]:
    """A case's negotiation history, most recent contact first."""
    rows = await repository.page(str(case.id), after=_position(cursor), limit=limit + 1)
    shown = rows[:limit]
    promises = await repository.promises_by_ids([r.promise_id for r in shown if r.promise_id])
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_keyset(shown[-1].contacted_at.isoformat(), str(shown[-1].id))
    return Page(items=[read_of(r, promises) for r in shown], next_cursor=next_cursor)


def _position(cursor: str | None) -> tuple[datetime, ObjectId] | None:
    values = decode_keyset(cursor, 2)
    if values is None:
        return None
    try:
        return datetime.fromisoformat(values[0]), ObjectId(values[1])
    except (TypeError, ValueError, InvalidId) as exc:
        raise InvalidCursor("cursor is not one this API issued") from exc


async def list_active(*, actor: User, cursor: str | None, limit: int) -> Page[ActiveNegotiation]:
    """Cases in negotiation with an open promise or a follow-up, soonest follow-up first."""
    promised = [ObjectId(i) for i in await repository.cases_with_open_promises()]
    filters: dict = {
        "phase": Phase.NEGOTIATION.value,
        "$or": [{"next_follow_up": {"$ne": None}}, {"_id": {"$in": promised}}],
    }
    after = _active_after(cursor)
    if after is not None:
        filters = {"$and": [filters, after]}
    rows = await cases.list_in_reach(
        actor=actor, filters=filters, sort=[("next_follow_up", 1), ("_id", 1)], limit=limit + 1
    )
    shown = rows[:limit]
    items = await _active_items(shown)
    next_cursor = None
    if len(rows) > limit:
        last = shown[-1]
        when = last.next_follow_up.isoformat() if last.next_follow_up else None
        next_cursor = encode_keyset(when, str(last.id))
    return Page(items=items, next_cursor=next_cursor)


def _active_after(cursor: str | None) -> dict | None:
    """Keyset after (follow-up, id); cases with no follow-up sort first, as MongoDB does."""
    values = decode_keyset(cursor, 2)
    if values is None:
        return None
    try:
        last_id = ObjectId(values[1])
        if values[0] is None:
            return {
                "$or": [
                    {"next_follow_up": None, "_id": {"$gt": last_id}},
                    {"next_follow_up": {"$ne": None}},
                ]
            }
        when = datetime.fromisoformat(values[0])
    except (TypeError, ValueError, InvalidId) as exc:
        raise InvalidCursor("cursor is not one this API issued") from exc
    return {
        "$or": [
            {"next_follow_up": {"$gt": when}},
            {"next_follow_up": when, "_id": {"$gt": last_id}},
        ]
    }


async def _active_items(shown: list[Case]) -> list[ActiveNegotiation]:
    ids = [str(c.id) for c in shown]
    open_promises: dict[str, list[PromiseRead]] = {i: [] for i in ids}
    for promise in await repository.promises_of(ids, state=PromiseState.OPEN):
        open_promises[promise.case_id].append(promise_read_of(promise))
    last = await repository.last_contacts(ids)
    promised = await repository.promises_by_ids(
        [n.promise_id for n in last.values() if n.promise_id]
    )
    return [
        ActiveNegotiation(
            case_id=str(c.id),
            customer_id=c.customer_id,
            customer_name=c.customer_name,
            account_id=c.account_id,
            phase=c.phase,
            outstanding=c.outstanding,
            drc_id=c.drc_id,
            ro_id=c.ro_id,
            next_follow_up=c.next_follow_up,
            open_promises=open_promises[str(c.id)],
            last_contact=read_of(last[str(c.id)], promised) if str(c.id) in last else None,
        )
        for c in shown
    ]


async def apply_payment(
    *,
    actor: User | None,
    case_id: str,
    amount: Money,
    paid_at: datetime,
    session: AsyncClientSession,
) -> list[PromiseShare]:
    """Count a payment towards the case's open promises still in time, soonest due first;
    a promise paid in full is kept."""
    left = amount
    shares = []
    for promise in await repository.open_promises(
        case_id, due_on_or_after=paid_at.astimezone(UTC).date(), session=session
    ):
        owed = promise.amount.minus(promise.paid)
        take = Money(amount=min(owed.amount, left.amount), currency=owed.currency)
        if take.amount == 0:
            break
        left = left.minus(take)
        kept = await _pay_promise(actor, promise, take, session)
        shares.append(PromiseShare(promise_id=str(promise.id), amount=take, kept=kept))
    return shares


async def _pay_promise(
    actor: User | None, promise: Promise, take: Money, session: AsyncClientSession
) -> bool:
    before = _promise_summary(promise)
    paid = promise.paid + take
    kept = paid.covers(promise.amount)
    fields: dict = {"paid": paid}
    if kept:
        fields.update(state=PromiseState.KEPT, kept_at=clock.now())
    await repository.update_promise(promise, fields, session=session)
    await _audit_promise(actor, "promise.keep" if kept else "promise.pay", before, promise, session)
    return kept


async def reverse_payment(
    *, actor: User, shares: list[PromiseShare], session: AsyncClientSession
) -> None:
    """Undo what a reversed payment did to promises: a kept one that is no longer paid in
    full opens again, or is broken when its day has passed."""
    today = clock.now().date()
    for share in shares:
        promise = await repository.get_promise(share.promise_id, session=session)
        if promise is None:
            continue
        before = _promise_summary(promise)
        paid = promise.paid.minus(share.amount)
        fields: dict = {"paid": paid}
        if promise.state is PromiseState.KEPT and not paid.covers(promise.amount):
            in_time = promise.due_date >= today
            fields.update(
                state=PromiseState.OPEN if in_time else PromiseState.BROKEN,
                kept_at=None,
                broken_at=None if in_time else clock.now(),
            )
        await repository.update_promise(promise, fields, session=session)
        await _audit_promise(actor, "promise.payment_reversed", before, promise, session)


async def promises_due(*, day: date, limit: int = 10_000) -> list[PromiseRead]:
    """Open promises falling due on `day`, for reminders (a system read: no reach check)."""
    return [promise_read_of(p) for p in await repository.open_promises_due(day, limit=limit)]


async def break_overdue_promises(*, today: date | None = None) -> int:
    """Mark open promises whose due day has passed as broken; returns how many."""
    today = today or clock.now().date()
    broken = 0
    for promise_id in await repository.overdue_promise_ids(before=today, limit=10_000):
        async with db.transaction() as session:
            promise = await repository.get_promise(promise_id, session=session)
            if promise is None or promise.state is not PromiseState.OPEN:
                continue
            if promise.due_date >= today:
                continue
            before = _promise_summary(promise)
            fields = {"state": PromiseState.BROKEN, "broken_at": clock.now()}
            await repository.update_promise(promise, fields, session=session)
            await _audit_promise(None, "promise.break", before, promise, session)
            await cases.touch_id(
                promise.case_id,
                action="promise.break",
                sections=[Section.PROMISES],
                session=session,
            )
            broken += 1
    return broken


async def _audit_promise(
    actor: User | None,
    action: str,
    before: dict,
    promise: Promise,
    session: AsyncClientSession,
) -> None:
    old, new = audit.diff(before, _promise_summary(promise))
    await audit.record(
        actor=actor,
        action=action,
        entity_type="promise",
        entity_id=str(promise.id),
        before=old,
        after=new,
        drc_id=promise.drc_id,
        session=session,
    )


def _summary(record: Negotiation) -> dict:
    return {
        "case_id": record.case_id,
        "contacted_at": record.contacted_at.isoformat(),
        "channel": record.channel.value,
        "result": record.result.value,
        "outcome": record.outcome.value,
        "promise_id": record.promise_id,
    }


def _promise_summary(promise: Promise) -> dict:
    return {
        "case_id": promise.case_id,
        "amount": promise.amount.amount,
        "paid": promise.paid.amount,
        "due_date": promise.due_date.isoformat(),
        "state": promise.state.value,
    }


def promise_read_of(promise: Promise) -> PromiseRead:
    return PromiseRead.model_validate(
        {**promise.model_dump(exclude={"id", "revision_id"}), "id": str(promise.id)}
    )


def read_of(record: Negotiation, promises: dict[str, Promise]) -> NegotiationRead:
    promise = promises.get(record.promise_id) if record.promise_id else None
    return NegotiationRead.model_validate(
        {
            **record.model_dump(exclude={"id", "revision_id", "promise"}),
            "id": str(record.id),
            "promise": promise_read_of(promise) if promise else None,
        }
    )


async def keep_old_digests(*, batch: int = 500) -> int:
    """Count the records of every case contacted before digests were kept into a digest
    on the case, so nothing reads them again; how many cases were given one. A contact
    recorded meanwhile either stores its digest first, which this leaves alone, or meets
    this write as a conflict and is sent again (409), then counting from this digest."""
    kept = 0
    async for ids in cases.ids_without_contacts(batch=batch):
        kept += await cases.keep_contacts(await repository.digests_from_records(ids))
    return kept


async def open_promises_due_by_case(day: date) -> dict[str, int]:
    """Open promises falling due on `day`, counted per case."""
    due: dict[str, int] = {}
    for promise in await repository.open_promises_due(day, limit=100_000):
        due[promise.case_id] = due.get(promise.case_id, 0) + 1
    return due


# Figures for performance: records and promises count for the officer who made them and
# the DRC holding the case then.
_MAKER = {By.OFFICER: "$officer_id", By.DRC: "$drc_id"}


def _reached(reach: Reach) -> dict:
    return reach.match(drc="drc_id", officer="officer_id")


async def contacts_by(*, by: By, reach: Reach, since: datetime) -> dict[str, int]:
    """Contacts recorded since `since`, per officer or DRC."""
    return await repository.contacts_by(_MAKER[by], _reached(reach), since=since)


async def promises_settled_by(
    *, by: By, reach: Reach, since: datetime
) -> dict[str, dict[PromiseState, int]]:
    """Promises kept and broken since `since`, per officer or DRC, then per state."""
    found = await repository.promises_settled_by(_MAKER[by], _reached(reach), since=since)
    return {key: {PromiseState(s): n for s, n in states.items()} for key, states in found.items()}


async def promise_record(case_ids: list[str]) -> tuple[int, int]:
    """How many promises the cases' customer kept, and how many they broke."""
    if not case_ids:
        return 0, 0
    kept = await repository.promises_of(case_ids, state=PromiseState.KEPT)
    broken = await repository.promises_of(case_ids, state=PromiseState.BROKEN)
    return len(kept), len(broken)


async def cases_with_promise_of(
    amount: Money, *, start: date, end: date, limit: int = 1000
) -> set[str]:
    """Cases with an open promise of exactly `amount` still owed, due between `start`
    and `end`: who a payment of that amount is likely from."""
    promises = await repository.open_promises_due_between(start, end, limit=limit)
    return {p.case_id for p in promises if p.amount.minus(p.paid) == amount}


async def contact_results(
    *, by: By, reach: Reach, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Contacts in [since, until) per officer or DRC: attempts, reached, promised."""
    return await repository.contact_results(_MAKER[by], _reached(reach), since=since, until=until)


async def promise_states(
    *, by: By, reach: Reach, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Promises made in [since, until) per officer or DRC, currency and state."""
    return await repository.promise_states(_MAKER[by], _reached(reach), since=since, until=until)
