"""One step of field or office work, each through its domain's service as the right person."""

from __future__ import annotations

from backend.cases.contacts import ContactChannel, ContactResult, NegotiationOutcome
from backend.cases.models import Case
from backend.core.money import Money
from backend.cpe import service as cpe
from backend.cpe.models import ApprovalDecision
from backend.cpe.schemas import CpeApprovalCreate, CpeItemRecord, RecordedStatus
from backend.devstack.demo.work import Work, device_time, fresh
from backend.negotiations import service as negotiations
from backend.negotiations.schemas import NegotiationCreate, PromiseIn
from backend.payments import service as payments
from backend.payments.models import PaymentChannel
from backend.payments.schemas import PaymentCreate
from backend.settlements import service as settlements
from backend.settlements.models import SettlementKind
from backend.settlements.schemas import InstalmentIn, SettlementCreate
from backend.users.models import User

NOT_REACHED = (
    ContactResult.NO_ANSWER,
    ContactResult.SWITCHED_OFF,
    ContactResult.BUSY,
    ContactResult.NOT_AT_PREMISES,
    ContactResult.LEFT_MESSAGE,
)
REACHING = (ContactChannel.VISIT, ContactChannel.CALL, ContactChannel.CALL, ContactChannel.WHATSAPP)
RECEIPTS = {
    PaymentChannel.CASH: "RCPT",
    PaymentChannel.BANK: "BOC",
    PaymentChannel.MOBILE_MONEY: "EZC",
    PaymentChannel.CARD: "CRD",
}


async def contact(
    work: Work,
    case: Case,
    outcome: NegotiationOutcome,
    *,
    notes: str | None = None,
    follow_up: int | None = None,
    promise: PromiseIn | None = None,
    dispute: str | None = None,
) -> None:
    """The holding officer records one contact; unreachable means nobody answered."""
    reached = outcome is not NegotiationOutcome.UNREACHABLE
    data = NegotiationCreate(
        contacted_at=device_time(),
        channel=work.rng.choice(REACHING),
        result=ContactResult.REACHED if reached else work.rng.choice(NOT_REACHED),
        outcome=outcome,
        promise=promise,
        dispute_reason=dispute,
        notes=notes,
        next_follow_up=work.morning(follow_up) if follow_up else None,
    )
    await negotiations.record_negotiation(
        actor=work.officer(case), case=await fresh(case), data=data
    )


async def promise(work: Work, case: Case, amount: Money, *, due_in: int, notes: str) -> None:
    terms = PromiseIn(amount=amount, due_date=work.day(due_in))
    await contact(work, case, NegotiationOutcome.PROMISE_TO_PAY, promise=terms, notes=notes)


async def pay(
    work: Work,
    case: Case,
    amount: Money,
    *,
    channel: PaymentChannel | None = None,
    by: User | None = None,
) -> None:
    """A payment as the officer (or operator staff, for bank transfers) records it."""
    channel = channel or work.rng.choice(list(RECEIPTS))
    data = PaymentCreate(
        amount=amount,
        paid_at=device_time(),
        channel=channel,
        reference=work.reference(RECEIPTS[channel]),
    )
    actor = by or work.officer(case)
    await payments.record_payment(actor=actor, case=await fresh(case), data=data)


async def lump_sum(
    work: Work, case: Case, total: Money, *, due_in: int, by: User, note: str | None = None
) -> None:
    data = SettlementCreate(
        kind=SettlementKind.LUMP_SUM, total=total, due_date=work.day(due_in), note=note
    )
    await settlements.create_settlement(actor=by, case=await fresh(case), data=data)


async def plan(work: Work, case: Case, parts: list[Money], *, first_due: int) -> None:
    """A monthly instalment plan the officer agrees, first instalment `first_due` days out."""
    total = Money(amount=sum(p.amount for p in parts), currency=parts[0].currency)
    data = SettlementCreate(
        kind=SettlementKind.INSTALMENTS,
        total=total,
        instalments=[
            InstalmentIn(amount=part, due_date=work.day(first_due + 30 * n))
            for n, part in enumerate(parts)
        ],
        note=f"{len(parts)} monthly instalments",
    )
    await settlements.create_settlement(actor=work.officer(case), case=await fresh(case), data=data)


async def collect(
    work: Work, case: Case, status: RecordedStatus, *, condition: str | None = None
) -> None:
    """The officer records every item of the case with the same result."""
    for n, item in enumerate(case.cpe_items):
        photo = f"cpe/{case.id}/{item.serial}.jpg" if status is RecordedStatus.COLLECTED else None
        data = CpeItemRecord(
            serial=item.serial,
            status=status,
            collected_at=device_time(),
            condition=condition if n == 0 else None,
            photo_ref=photo,
        )
        await cpe.record_item(actor=work.officer(case), case=await fresh(case), data=data)


async def rcmp_decides(work: Work, case: Case, *, reason: str | None = None) -> None:
    """Operator staff approve the returned equipment, or reject it with a reason."""
    decision = ApprovalDecision.REJECT if reason else ApprovalDecision.APPROVE
    data = CpeApprovalCreate(
        decision=decision, reason=reason, reference=work.reference("RCMP") if not reason else None
    )
    await cpe.decide(actor=work.operator, case=await fresh(case), data=data)
