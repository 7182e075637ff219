"""Settlements: a lump sum or an instalment plan, how payments pay it off, and defaults.

Agreeing one moves the case from negotiation (or mediation, when the board settles)
into settlement. A total below the outstanding arrears is a discount, which a DRC
supervisor agrees (an officer may not); the board may agree one through mediation.
A daily task marks instalments missed; a plan with too many missed defaults and the
case goes back to where the agreement was made.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import pairwise

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.errors import CaseClosed
from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.cases.sections import Section
from backend.core import clock, db
from backend.core.money import Money
from backend.notifications import service as notifications
from backend.settlements import repository
from backend.settlements.errors import (
    CurrencyMismatch,
    DiscountNeedsSupervisor,
    ExceedsOutstanding,
    SettlementPhaseNotAllowed,
    TermsInvalid,
    TotalMismatch,
)
from backend.settlements.models import (
    Instalment,
    InstalmentShare,
    InstalmentStatus,
    Settlement,
    SettlementKind,
    SettlementSource,
    SettlementStatus,
)
from backend.settlements.schemas import SettlementCreate, SettlementRead
from backend.users.models import Role, User
from backend.worker.dispatch import reevaluate_accounts

PLAN_HORIZON = timedelta(days=5 * 366)
_PHASE_OF = {
    SettlementSource.NEGOTIATION: Phase.NEGOTIATION,
    SettlementSource.MEDIATION: Phase.MEDIATION,
}


@dataclass(frozen=True)
class SettlementPayment:
    """What one payment did to the case's active settlement."""

    settlement_id: str
    kind: SettlementKind
    source: SettlementSource
    shares: list[InstalmentShare]
    completed: bool


@dataclass
class MissedSweep:
    missed: int = 0  # instalments newly marked missed
    defaulted: list[str] = field(default_factory=list)  # settlements that defaulted


async def create_settlement(
    *,
    actor: User,
    case: Case,
    data: SettlementCreate,
    source: SettlementSource = SettlementSource.NEGOTIATION,
    source_ref: str | None = None,
    session: AsyncClientSession | None = None,
) -> SettlementRead:
    """Agree a lump sum or an instalment plan; the case moves into settlement."""
    async with db.transaction(session) as txn:
        _require_settler(actor, case, source)
        settlement = _new_settlement(actor, case, data, source, source_ref)
        await repository.insert(settlement, session=txn)
        await _audit(actor, "settlement.create", {}, settlement, txn)
        await cases.move(
            actor=actor,
            case=case,
            to=Phase.SETTLEMENT,
            action="settlement.create",
            note=f"{data.kind.value.replace('_', ' ')} of {data.total} agreed",
            session=txn,
        )
    if session is None:  # a caller's transaction tells dunning itself once it commits
        await reevaluate_accounts([case.account_id])
    return read_of(settlement)


def _new_settlement(
    actor: User,
    case: Case,
    data: SettlementCreate,
    source: SettlementSource,
    source_ref: str | None,
) -> Settlement:
    """The settlement to store, once its terms and any discount are checked."""
    instalments = _schedule(case, data)
    discount = case.outstanding.minus(data.total)
    if discount.amount > 0 and not _may_discount(actor, source):
        raise DiscountNeedsSupervisor(f"{data.total} is below the outstanding")
    return Settlement(
        case_id=str(case.id),
        drc_id=case.drc_id,
        ro_id=case.ro_id,
        kind=data.kind,
        source=source,
        source_ref=str(source_ref) if source_ref is not None else None,  # e.g. a hearing's id
        total=data.total,
        outstanding_at_agreement=case.outstanding,
        discount=discount,
        instalments=instalments,
        default_after_missed=data.default_after_missed,
        note=data.note,
        created_by=actor.id,
    )


def _may_discount(actor: User, source: SettlementSource) -> bool:
    """Supervisors agree discounts; the board's (through mediation) are its own decision."""
    return (
        source is SettlementSource.MEDIATION
        or actor.role is Role.DRC_SUPERVISOR
        or actor.is_operator
    )


def _require_settler(actor: User, case: Case, source: SettlementSource) -> None:
    """The holding officer or their supervisor; operator staff too when the board settles."""
    if source is SettlementSource.MEDIATION and actor.is_operator:
        if case.phase is Phase.CLOSED:
            raise CaseClosed(f"Case {case.id} is closed")
    else:
        cases.require_worker(actor, case)
    if case.phase is not _PHASE_OF[source]:
        raise SettlementPhaseNotAllowed(
            f"A {case.phase} case cannot settle through {source.value}",
            phase=case.phase.value,
        )


def _schedule(case: Case, data: SettlementCreate) -> list[Instalment]:
    """The instalments the terms describe, once they are checked."""
    if data.kind is SettlementKind.LUMP_SUM:
        if data.due_date is None or data.instalments is not None:
            raise TermsInvalid("a lump sum takes a due_date and no instalments")
        parts = [(data.total, data.due_date)]
    else:
        if data.due_date is not None or data.instalments is None or len(data.instalments) < 2:
            raise TermsInvalid("an instalment plan takes two or more instalments and no due_date")
        parts = [(i.amount, i.due_date) for i in data.instalments]
    currency = case.outstanding.currency
    if any(m.currency != currency for m in [data.total, *(a for a, _ in parts)]):
        raise CurrencyMismatch(f"amounts must be in {currency}")
    if data.total.amount == 0 or any(a.amount == 0 for a, _ in parts):
        raise TermsInvalid("amounts must be above zero")
    added = sum(a.amount for a, _ in parts)
    if added != data.total.amount:
        raise TotalMismatch(
            f"the instalments add up to {Money(amount=added, currency=currency)}, not {data.total}",
            instalments_total=added,
        )
    if not case.outstanding.covers(data.total):
        raise ExceedsOutstanding(f"{data.total} is more than the outstanding {case.outstanding}")
    _check_dates([d for _, d in parts])
    return [
        Instalment(number=n, amount=a, due_date=d, paid=Money.zero(currency))
        for n, (a, d) in enumerate(parts, start=1)
    ]


def _check_dates(days: list[date]) -> None:
    today = clock.now().date()
    if days[0] < today:
        raise TermsInvalid("due dates cannot be in the past")
    if any(later <= earlier for earlier, later in pairwise(days)):
        raise TermsInvalid("due dates must be strictly increasing")
    if days[-1] > today + PLAN_HORIZON:
        raise TermsInvalid("the last due date is more than five years away")


async def list_settlements(*, case: Case) -> list[SettlementRead]:
    """A case's settlements, newest first."""
    return [read_of(s) for s in await repository.of_case(str(case.id))]


async def active_for(
    *, case_id: str, session: AsyncClientSession | None = None
) -> Settlement | None:
    """The case's settlement being paid off, if there is one."""
    return await repository.active_for(case_id, session=session)


async def apply_payment(
    *, actor: User | None, case: Case, amount: Money, session: AsyncClientSession
) -> SettlementPayment | None:
    """Pay the oldest unpaid instalments of the case's active settlement first."""
    settlement = await repository.active_for(str(case.id), session=session)
    if settlement is None:
        return None
    before = _summary(settlement)
    today, left, shares = clock.now().date(), amount, []
    for instalment in settlement.instalments:
        take = Money(amount=min(instalment.remaining.amount, left.amount), currency=amount.currency)
        if take.amount == 0:
            continue
        instalment.paid = instalment.paid + take
        instalment.restate(today)
        left = left.minus(take)
        shares.append(
            InstalmentShare(settlement_id=str(settlement.id), number=instalment.number, amount=take)
        )
    completed = all(i.status is InstalmentStatus.PAID for i in settlement.instalments)
    fields: dict = {"instalments": settlement.instalments}
    if completed:
        fields.update(status=SettlementStatus.COMPLETED, completed_at=clock.now())
    await repository.save(settlement, fields, session=session)
    action = "settlement.complete" if completed else "settlement.pay"
    await _audit(actor, action, before, settlement, session)
    return SettlementPayment(
        settlement_id=str(settlement.id),
        kind=settlement.kind,
        source=settlement.source,
        shares=shares,
        completed=completed,
    )


async def reverse_payment(
    *, actor: User, shares: list[InstalmentShare], session: AsyncClientSession
) -> None:
    """Undo what a reversed payment paid; a completed settlement becomes active again."""
    by_settlement: dict[str, list[InstalmentShare]] = defaultdict(list)
    for share in shares:
        by_settlement[share.settlement_id].append(share)
    today = clock.now().date()
    for settlement_id, undone in by_settlement.items():
        settlement = await repository.get(settlement_id, session=session)
        if settlement is None:
            continue
        before = _summary(settlement)
        for share in undone:
            instalment = settlement.instalments[share.number - 1]
            instalment.paid = instalment.paid.minus(share.amount)
            instalment.restate(today)
        fields: dict = {"instalments": settlement.instalments}
        if settlement.status is SettlementStatus.COMPLETED:
            fields.update(status=SettlementStatus.ACTIVE, completed_at=None)
        await repository.save(settlement, fields, session=session)
        await _audit(actor, "settlement.payment_reversed", before, settlement, session)


async def check_missed(*, today: date | None = None) -> MissedSweep:
    """Mark instalments not paid by their due day missed; default plans missing too many."""
    today = today or clock.now().date()
    sweep = MissedSweep()
    for settlement_id in await repository.overdue_ids(before=today, limit=10_000):
        async with db.transaction() as session:
            pending = await _sweep_one(settlement_id, today, sweep, session)
        await notifications.dispatch(pending)
    return sweep


async def _sweep_one(
    settlement_id: str, today: date, sweep: MissedSweep, session: AsyncClientSession
) -> notifications.Pending:
    settlement = await repository.get(settlement_id, session=session)
    if settlement is None or settlement.status is not SettlementStatus.ACTIVE:
        return notifications.Pending()
    before = _summary(settlement)
    newly = _restated(settlement, today)
    fields: dict = {"instalments": settlement.instalments}
    defaults = settlement.missed >= settlement.misses_allowed
    reason = (
        f"{settlement.missed} instalment(s) missed; the plan defaults at "
        f"{settlement.misses_allowed}"
    )
    if defaults:
        fields.update(
            status=SettlementStatus.DEFAULTED, defaulted_at=clock.now(), default_reason=reason
        )
    if not (newly or defaults):
        return notifications.Pending()
    await repository.save(settlement, fields, session=session)
    await _audit(
        None, "settlement.default" if defaults else "settlement.missed", before, settlement, session
    )
    sweep.missed += len(newly)
    if defaults:
        sweep.defaulted.append(settlement_id)
        await _return_case(settlement, reason, session)
    else:
        await cases.touch_id(
            settlement.case_id,
            action="settlement.missed",
            sections=[Section.SETTLEMENT],
            session=session,
        )
    return await _tell_missed(settlement, newly, session)


def _restated(settlement: Settlement, today: date) -> list[Instalment]:
    """Restate every instalment as of `today`; those missed only now."""
    newly = []
    for instalment in settlement.instalments:
        was = instalment.status
        instalment.restate(today)
        if instalment.status is InstalmentStatus.MISSED and was is not InstalmentStatus.MISSED:
            newly.append(instalment)
    return newly


async def _tell_missed(
    settlement: Settlement, missed: list[Instalment], session: AsyncClientSession
) -> notifications.Pending:
    """The case's officer and the customer hear of each instalment newly missed."""
    pending = notifications.Pending()
    for instalment in missed:
        pending += await notifications.instalment_missed(
            case_id=settlement.case_id,
            number=instalment.number,
            amount=instalment.remaining,
            due_date=instalment.due_date,
            session=session,
        )
    return pending


async def supersede_active(
    *, actor: User, case_id: str, reason: str, session: AsyncClientSession
) -> Settlement | None:
    """End the case's active settlement because the case left it (escalated to the board),
    so no later payment is applied to terms that no longer hold."""
    settlement = await repository.active_for(case_id, session=session)
    if settlement is None:
        return None
    before = _summary(settlement)
    await repository.save(
        settlement,
        {"status": SettlementStatus.SUPERSEDED, "default_reason": reason},
        session=session,
    )
    await _audit(actor, "settlement.supersede", before, settlement, session)
    return settlement


async def _return_case(settlement: Settlement, reason: str, session: AsyncClientSession) -> None:
    """A defaulted plan sends its case back to negotiation (or to the board that settled it)."""
    case = await cases.get_unscoped(settlement.case_id, session=session)
    if case is None or case.phase is not Phase.SETTLEMENT:
        return
    await cases.move(
        actor=None,
        case=case,
        to=_PHASE_OF[settlement.source],
        action="settlement.default",
        note=f"settlement {settlement.id} defaulted: {reason}",
        session=session,
    )


async def _audit(
    actor: User | None,
    action: str,
    before: dict,
    settlement: Settlement,
    session: AsyncClientSession,
) -> None:
    old, new = audit.diff(before, _summary(settlement))
    await audit.record(
        actor=actor,
        action=action,
        entity_type="settlement",
        entity_id=str(settlement.id),
        before=old or None,
        after=new,
        drc_id=settlement.drc_id,
        session=session,
    )


def _summary(settlement: Settlement) -> dict:
    return {
        "case_id": settlement.case_id,
        "kind": settlement.kind.value,
        "source": settlement.source.value,
        "total": settlement.total.amount,
        "discount": settlement.discount.amount,
        "paid": settlement.paid.amount,
        "status": settlement.status.value,
        "instalments": [
            f"{i.number}:{i.status.value}:{i.paid.amount}" for i in settlement.instalments
        ],
    }


def read_of(settlement: Settlement) -> SettlementRead:
    return SettlementRead.model_validate(
        {
            **settlement.model_dump(exclude={"id", "revision_id"}),
            "id": str(settlement.id),
            "paid": settlement.paid,
        }
    )


async def cases_with_next_instalment(
    amount: Money, *, start: date, end: date, limit: int = 1000
) -> set[str]:
    """Cases whose active settlement's next unpaid instalment is exactly `amount`, due
    between `start` and `end`: who a payment of that amount is likely from."""
    found = set()
    for settlement in await repository.active_with_instalment_due(start, end, limit=limit):
        unpaid = next((i for i in settlement.instalments if i.remaining.amount > 0), None)
        if unpaid is not None and start <= unpaid.due_date <= end and unpaid.remaining == amount:
            found.add(settlement.case_id)
    return found
