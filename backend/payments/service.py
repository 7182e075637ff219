"""Recording payments and reversing them.

A payment pays the active settlement's oldest unpaid instalments, counts towards open
promises still in time, reduces the outstanding (never below zero: the rest is credit
on the payment) and earns the holding DRC its commission, all in one transaction with
the case change. When nothing is left outstanding the arrears part is done, which
closes the case unless CPE is still to come back. A completed settlement with a
discount writes the discount off.

A reversal undoes all of that and claws the commission back. A closed case stays
closed: the reversal is recorded, the commission clawed back and the payment flagged
for operator staff, since the case's story has ended and reopening is theirs to decide.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.errors import CaseClosed, CaseNotFound
from backend.cases.models import Case, PartStatus
from backend.cases.phases import Phase
from backend.commission import service as commission
from backend.commission.models import CommissionEntry, RecoveryType
from backend.core import clock, db, figures
from backend.core.errors import Forbidden
from backend.core.figures import By, Reach
from backend.core.money import Money
from backend.core.pagination import Page, object_id_cursor
from backend.negotiations import service as negotiations
from backend.negotiations.models import PromiseShare
from backend.oss import cure
from backend.payments import repository
from backend.payments.errors import (
    AlreadyReversed,
    AmountInvalid,
    DuplicateReference,
    NothingOutstanding,
    PaidAtInvalid,
    PaymentNotFound,
)
from backend.payments.models import Payment, PaymentChannel, PaymentStatus, Reversal
from backend.payments.schemas import PaymentCreate, PaymentRead
from backend.settlements import service as settlements
from backend.settlements.models import SettlementKind, SettlementSource
from backend.users.models import User
from backend.worker.dispatch import reevaluate_accounts

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)


async def record_payment(
    *,
    actor: User,
    case: Case,
    data: PaymentCreate,
    session: AsyncClientSession | None = None,
) -> PaymentRead:
    """Apply a payment to the case: instalments, promises, outstanding, commission."""
    async with db.transaction(session) as txn:
        _require_recorder(actor, case)
        payment = _new_payment(actor.id, case, data)
        await _book(actor, case, payment, txn)
    if session is None:  # a caller's transaction tells dunning itself once it commits
        await reevaluate_accounts([case.account_id])
    return read_of(payment)


async def book_provider_payment(
    *,
    case: Case,
    data: PaymentCreate,
    provider: str,
    actor: User | None = None,
    session: AsyncClientSession,
) -> PaymentRead:
    """A payment a provider reported, applied exactly as one recorded by staff:
    instalments, promises, outstanding, commission, cure. No user recorded it: `actor` is
    the staff member who matched it by hand, if one did (the audit names them). The
    caller's transaction tells dunning once it commits."""
    if case.phase is Phase.CLOSED:
        raise CaseClosed(f"Case {case.id} is closed")
    payment = _new_payment(f"provider:{provider}", case, data)
    await _book(actor, case, payment, session)
    return read_of(payment)


async def by_reference(
    channel: PaymentChannel, reference: str, *, session: AsyncClientSession | None = None
) -> PaymentRead | None:
    """The payment recorded with this channel and reference, if any (a system read)."""
    payment = await repository.by_reference(channel, reference.upper(), session=session)
    return None if payment is None else read_of(payment)


async def _book(
    actor: User | None, case: Case, payment: Payment, session: AsyncClientSession
) -> None:
    """Apply the payment, store it and audit it, in the caller's transaction."""
    if await repository.reference_taken(payment.channel, payment.reference, session=session):
        raise DuplicateReference(
            f"{payment.channel.value} reference {payment.reference} is already recorded"
        )
    await _apply(actor, case, payment, session)
    await repository.insert(payment, session=session)
    await audit.record(
        actor=actor,
        action="payment.record",
        entity_type="payment",
        entity_id=str(payment.id),
        after=_summary(payment),
        drc_id=payment.drc_id,
        session=session,
    )


def _require_recorder(actor: User, case: Case) -> None:
    """Operator staff record on any open case; DRC staff on the cases they work."""
    if not actor.is_operator:
        cases.require_worker(actor, case)
    elif case.phase is Phase.CLOSED:
        raise CaseClosed(f"Case {case.id} is closed")


def _new_payment(recorded_by: str, case: Case, data: PaymentCreate) -> Payment:
    """The payment to store, once its amount and time are checked against the case."""
    if case.arrears_status in (PartStatus.NOT_REQUIRED, PartStatus.DONE) or (
        case.outstanding.amount == 0
    ):
        raise NothingOutstanding(f"Case {case.id} has no arrears outstanding")
    currency = case.outstanding.currency
    if data.amount.currency != currency or data.amount.amount == 0:
        raise AmountInvalid(f"the amount must be above zero and in {currency}")
    try:
        paid_at = data.paid_at.astimezone(UTC)
    except (OverflowError, ValueError) as exc:
        raise PaidAtInvalid("paid_at is out of range") from exc
    if not EARLIEST <= paid_at <= clock.now() + clock.DEVICE_CLOCK_SKEW:
        raise PaidAtInvalid("paid_at is in the future or before 2000")
    applied = Money(amount=min(data.amount.amount, case.outstanding.amount), currency=currency)
    return Payment(
        id=ObjectId(),
        case_id=str(case.id),
        drc_id=case.drc_id,
        ro_id=case.ro_id,
        amount=data.amount,
        paid_at=paid_at,
        channel=data.channel,
        reference=data.reference.upper(),
        note=data.note,
        recorded_by=recorded_by,
        recovery_type=RecoveryType.DIRECT_PAYMENT,
        outstanding_before=case.outstanding,
        applied=applied,
        credit=data.amount.minus(applied),
        waived=Money.zero(currency),
    )


async def _apply(
    actor: User | None, case: Case, payment: Payment, session: AsyncClientSession
) -> None:
    """What the payment does to the settlement, promises, the case and commission."""
    settled = await settlements.apply_payment(
        actor=actor, case=case, amount=payment.applied, session=session
    )
    payment.promises = await negotiations.apply_payment(
        actor=actor,
        case_id=payment.case_id,
        amount=payment.applied,
        paid_at=payment.paid_at,
        session=session,
    )
    payment.recovery_type = _recovery_type(settled, payment.promises)
    left = _outstanding_after(case, payment, settled)
    case = await cases.update(
        actor=actor,
        case=case,
        action="payment.apply",
        changes={"outstanding": left},
        note=f"{payment.channel.value} payment {payment.reference} of {payment.amount} applied",
        session=session,
    )
    if left.amount == 0:
        case = await cases.complete_part(actor=actor, case=case, part="arrears", session=session)
        payment.arrears_completed = True
        payment.case_closed = case.phase is Phase.CLOSED
    entry = await commission.earn(
        actor=actor,
        case=case,
        payment_id=str(payment.id),
        basis=payment.applied,
        paid_at=payment.paid_at,
        recovery_type=payment.recovery_type,
        session=session,
    )
    payment.commission_entry_id = str(entry.id) if entry else None
    await cure.payment_applied(account_id=case.account_id, session=session)


def _outstanding_after(
    case: Case, payment: Payment, settled: settlements.SettlementPayment | None
) -> Money:
    """What is still owed; a paid-off settlement writes off its discount (`waived`)."""
    left = case.outstanding.minus(payment.applied)
    if settled is not None:
        payment.settlement_id = settled.settlement_id
        payment.instalments = settled.shares
        payment.settlement_completed = settled.completed
        if settled.completed:
            payment.waived, left = left, Money.zero(left.currency)
    return left


def _recovery_type(
    settled: settlements.SettlementPayment | None, promises: list[PromiseShare]
) -> RecoveryType:
    if settled is not None:
        if settled.source is SettlementSource.MEDIATION:
            return RecoveryType.MEDIATION_SETTLEMENT
        if settled.kind is SettlementKind.LUMP_SUM:
            return RecoveryType.FULL_SETTLEMENT
        return RecoveryType.INSTALMENT
    return RecoveryType.PROMISE_PAYMENT if promises else RecoveryType.DIRECT_PAYMENT


async def reverse_payment(
    *,
    actor: User,
    payment_id: str,
    reason: str,
    session: AsyncClientSession | None = None,
) -> Payment:
    """Undo a payment and claw its commission back; on a closed case, record and flag it."""
    if not actor.is_operator:
        raise Forbidden("Only operator staff reverse payments")
    async with db.transaction(session) as txn:
        payment = await repository.get(payment_id, session=txn)
        if payment is None:
            raise PaymentNotFound(f"No payment {payment_id}")
        if payment.status is PaymentStatus.REVERSED:
            raise AlreadyReversed(f"Payment {payment_id} was already reversed")
        case = await cases.get_unscoped(payment.case_id, session=txn)
        open_case = case is not None and case.phase is not Phase.CLOSED
        restored = Money.zero(payment.amount.currency)
        if open_case:
            assert case is not None
            restored = await _restore(actor, case, payment, reason, txn)
        entry = await commission.claw_back(
            actor=actor, payment_id=payment_id, reason=reason, session=txn
        )
        before = _summary(payment)
        fields = _reversed(actor, payment, reason, restored, entry, open_case)
        await repository.save(payment, fields, session=txn)
        old, new = audit.diff(before, _summary(payment))
        await audit.record(
            actor=actor,
            action="payment.reverse",
            entity_type="payment",
            entity_id=payment_id,
            before=old,
            after={**new, "reason": reason},
            drc_id=payment.drc_id,
            session=txn,
        )
    return payment


def _reversed(
    actor: User,
    payment: Payment,
    reason: str,
    restored: Money,
    entry: CommissionEntry | None,
    open_case: bool,
) -> dict:
    fields: dict = {
        "status": PaymentStatus.REVERSED,
        "reversal": Reversal(
            by=actor.id,
            reason=reason,
            restored=restored,
            clawback_entry_id=str(entry.id) if entry else None,
        ),
    }
    if not open_case:
        fields["flagged"] = True
        fields["flag_reason"] = (
            f"reversed after the case closed: {payment.applied} is no longer recovered, "
            "and the case, its settlement and promises were left as they were"
        )
    return fields


async def _restore(
    actor: User, case: Case, payment: Payment, reason: str, session: AsyncClientSession
) -> Money:
    """Put back what the payment paid off; returns what went back on the outstanding."""
    if payment.instalments:
        await settlements.reverse_payment(actor=actor, shares=payment.instalments, session=session)
    if payment.promises:
        await negotiations.reverse_payment(actor=actor, shares=payment.promises, session=session)
    restored = payment.applied + payment.waived
    changes: dict = {"outstanding": case.outstanding + restored}
    if case.arrears_status is PartStatus.DONE:
        changes["arrears_status"] = PartStatus.OPEN
    await cases.update(
        actor=actor,
        case=case,
        action="payment.reverse",
        changes=changes,
        note=f"{payment.channel.value} payment {payment.reference} reversed: {reason}",
        session=session,
    )
    return restored


async def list_payments(*, case: Case, cursor: str | None, limit: int) -> Page[PaymentRead]:
    """A case's payments, most recently recorded first."""
    rows = await repository.of_case(str(case.id), before=object_id_cursor(cursor), limit=limit + 1)
    shown = rows[:limit]
    next_cursor = str(shown[-1].id) if len(rows) > limit else None
    return Page(items=[read_of(p) for p in shown], next_cursor=next_cursor)


async def get_payment(*, actor: User, payment_id: str) -> Payment:
    """A payment on a case the actor may see; otherwise PaymentNotFound."""
    payment = await repository.get(payment_id)
    if payment is None:
        raise PaymentNotFound(f"No payment {payment_id}")
    try:
        await cases.get_for(actor=actor, case_id=payment.case_id)
    except CaseNotFound as exc:
        raise PaymentNotFound(f"No payment {payment_id}") from exc
    return payment


def _summary(payment: Payment) -> dict:
    return {
        "case_id": payment.case_id,
        "amount": payment.amount.amount,
        "channel": payment.channel.value,
        "reference": payment.reference,
        "applied": payment.applied.amount,
        "credit": payment.credit.amount,
        "waived": payment.waived.amount,
        "recovery_type": payment.recovery_type.value,
        "status": payment.status.value,
        "flagged": payment.flagged,
    }


def read_of(payment: Payment) -> PaymentRead:
    return PaymentRead.model_validate(
        {**payment.model_dump(exclude={"id", "revision_id"}), "id": str(payment.id)}
    )


# Figures for performance: a payment counts for the DRC and officer holding its case then.
_HOLDER = {By.OFFICER: "$ro_id", By.DRC: "$drc_id"}


def _reached(reach: Reach) -> dict:
    return reach.match(drc="drc_id", officer="ro_id")


async def collected_by(*, by: By, reach: Reach, since: datetime) -> dict[str, int]:
    """Minor units collected (applied, not reversed) since `since`, per officer or DRC."""
    return await repository.applied_by(_HOLDER[by], _reached(reach), since=since)


async def collected_by_month(*, reach: Reach, until: datetime) -> dict[str, int]:
    """Minor units collected (applied, not reversed) per month paid, before `until`."""
    return await repository.applied_by(figures.month_of("paid_at"), _reached(reach), until=until)


# A period's key in the payment trends: a day, an ISO week, or a month (UTC).
PERIOD_FORMATS = {"day": "%Y-%m-%d", "week": "%G-W%V", "month": figures.MONTH_FORMAT}


async def trends(
    *, reach: Reach, since: datetime, until: datetime, period: str
) -> list[dict[str, Any]]:
    """Standing payments paid in [since, until) per period, channel and currency: rows
    `{_id: {period, channel, currency}, payments, amount}`."""
    key = {
        "period": {"$dateToString": {"format": PERIOD_FORMATS[period], "date": "$paid_at"}},
        "channel": "$channel",
        "currency": "$applied.currency",
    }
    return await repository.applied_groups(key, _reached(reach), since=since, until=until)


async def collected_per(
    *, by: By, reach: Reach, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Standing payments paid in [since, until) per officer or DRC and currency."""
    key = {"holder": _HOLDER[by], "currency": "$applied.currency"}
    return await repository.applied_groups(key, _reached(reach), since=since, until=until)


async def count_of_cases(case_ids: list[str]) -> int:
    """How many payments (not reversed) the cases received: an account's payment history."""
    return await repository.count_of_cases(case_ids) if case_ids else 0


async def recent_amounts(case_ids: list[str], *, limit: int) -> list[Money]:
    """The amounts of the latest payments (not reversed) on these cases: their history."""
    return await repository.recent_amounts(case_ids, limit=limit) if case_ids else []
