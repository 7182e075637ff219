"""Disputes of a bill or a payment: raised, investigated, resolved, each step audited.
Collection contact with the customer is held from the first open dispute until the last
is resolved (through the customer's dispute hold, which dunning and the contact policy
honour); the customer's accounts are re-evaluated by dunning at each change."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.models import Case
from backend.core import clock, db
from backend.core.errors import Forbidden
from backend.core.pagination import Page, object_id_cursor
from backend.customers import service as customers
from backend.disputes import outcomes, repository
from backend.disputes.errors import DisputeChanged, DisputeNotFound, InvalidTransition
from backend.disputes.models import BillingDispute, DisputeKind, DisputeStatus
from backend.disputes.schemas import (
    DisputeCreate,
    DisputeFilters,
    DisputeOnCase,
    DisputeRead,
    DisputeResolve,
)
from backend.disputes.subjects import subject_of
from backend.receipts.schemas import ReceiptRead
from backend.users.models import User
from backend.worker.dispatch import reevaluate_accounts


def _require_operator(actor: User) -> None:
    if not actor.is_operator:
        raise Forbidden("Only operator staff investigate and resolve disputes")


def _scope(actor: User) -> dict[str, Any]:
    """The disputes an actor may see, as the cases they are on: operators all, a
    supervisor their DRC's, an officer their own (a dispute keeps its case's DRC and
    officer from when it was raised)."""
    return cases.scope_filter(actor)


def read_of(dispute: BillingDispute, *, held: bool) -> DisputeRead:
    return DisputeRead.model_validate(
        {**dispute.model_dump(), "id": str(dispute.id), "contact_held": held}
    )


async def _read(dispute: BillingDispute) -> DisputeRead:
    customer = await customers.get_unscoped(dispute.customer_id)
    return read_of(dispute, held=customer is not None and customer.dispute is not None)


async def raise_dispute(
    *, actor: User, data: DisputeCreate, session: AsyncClientSession | None = None
) -> DisputeRead:
    """Record a customer's dispute; collection contact is held until it is resolved."""
    subject = await subject_of(actor, data)
    dispute = BillingDispute(
        id=ObjectId(),
        **data.model_dump(exclude={"case_id", "invoice_id"}),
        invoice_id=subject.invoice_id,
        customer_id=subject.account.customer_id,
        **_case_fields(subject.case),
        raised_by=actor.id,
    )
    await _open(actor, dispute, data.model_dump(mode="json", exclude_none=True), session)
    return read_of(dispute, held=True)


async def raise_on_case(
    *, actor: User, case: Case, data: DisputeOnCase, session: AsyncClientSession | None = None
) -> DisputeRead:
    """The officer holding the case, their supervisor or operator staff raise a dispute on
    the case's account (`POST /cases/{id}/disputes` and the `dispute.raise` mutation)."""
    if not actor.is_operator:
        cases.require_worker(actor, case)
    fields = data.model_dump(include=set(DisputeOnCase.model_fields))
    full = DisputeCreate(**fields, account_id=case.account_id, case_id=str(case.id))
    return await raise_dispute(actor=actor, data=full, session=session)


async def raise_for_provider(*, receipt: ReceiptRead, description: str) -> DisputeRead | None:
    """A provider refunded a booked receipt itself: a refund request for operator staff,
    who reverse its payment by resolving it; None when the receipt names no account."""
    if receipt.account_id is None:
        return None
    if (known := await repository.of_receipt(receipt.id)) is not None:
        return await _read(known)
    account = await customers.get_account(receipt.account_id)
    case = await cases.get_unscoped(receipt.case_id) if receipt.case_id else None
    assert account is not None  # receipts are booked to known accounts
    dispute = BillingDispute(
        id=ObjectId(),
        kind=DisputeKind.REFUND_REQUEST,
        account_id=account.id,
        customer_id=account.customer_id,
        receipt_id=receipt.id,
        payment_id=receipt.payment_id,
        amount=receipt.amount,
        description=description,
        **_case_fields(case),
        raised_by=f"provider:{receipt.provider.value}",
    )
    await _open(None, dispute, {"receipt_id": receipt.id, "description": description})
    return read_of(dispute, held=True)


def _case_fields(case: Case | None) -> dict[str, Any]:
    if case is None:
        return {}
    return {"case_id": str(case.id), "drc_id": case.drc_id, "ro_id": case.ro_id}


async def _open(
    actor: User | None,
    dispute: BillingDispute,
    summary: dict[str, Any],
    session: AsyncClientSession | None = None,
) -> None:
    """Store the dispute and hold contact; in the caller's transaction when given (a
    mutation's: the contact policy honours the hold at once, dunning at its next run)."""
    async with db.transaction(session) as txn:
        await repository.insert(dispute, session=txn)
        await customers.hold_for_billing_dispute(
            actor=actor,
            customer_id=dispute.customer_id,
            dispute_id=str(dispute.id),
            reason=f"{dispute.kind.value.replace('_', ' ')}: {dispute.description}"[:2000],
            session=txn,
        )
        await _audit(actor, "dispute.raise", dispute, summary, txn)
    if session is None:
        await _reevaluate(dispute.customer_id)


async def list_disputes(
    *, actor: User, filters: DisputeFilters, cursor: str | None, limit: int
) -> Page[DisputeRead]:
    """Disputes within the caller's reach, newest first; keyset pages."""
    query = {"$and": [db.equal_to(filters), _scope(actor)]}
    rows = await repository.page(query, before=object_id_cursor(cursor), limit=limit + 1)
    shown = rows[:limit]
    held = await customers.customers_unscoped(list({d.customer_id for d in shown}))
    items = [
        read_of(d, held=d.customer_id in held and held[d.customer_id].dispute is not None)
        for d in shown
    ]
    return Page(items=items, next_cursor=str(shown[-1].id) if len(rows) > limit else None)


async def _load(
    actor: User, dispute_id: str, session: AsyncClientSession | None = None
) -> BillingDispute:
    dispute = await repository.get(dispute_id, session=session)
    scope = _scope(actor)
    if dispute is None or any(getattr(dispute, k) != v for k, v in scope.items()):
        raise DisputeNotFound(f"No dispute {dispute_id}")
    return dispute


async def get_dispute(*, actor: User, dispute_id: str) -> DisputeRead:
    """One dispute within the caller's reach."""
    return await _read(await _load(actor, dispute_id))


async def investigate(*, actor: User, dispute_id: str) -> DisputeRead:
    """Operator staff take up an open dispute."""
    _require_operator(actor)
    async with db.transaction() as session:
        dispute = await _load(actor, dispute_id, session)
        _require_status(dispute, DisputeStatus.OPEN, "investigated")
        fields = {
            "status": DisputeStatus.INVESTIGATING,
            "investigated_by": actor.id,
            "investigated_at": clock.now(),
        }
        await _write(dispute, fields, session)
        await _audit(actor, "dispute.investigate", dispute, {"status": "investigating"}, session)
    return await _read(dispute)


async def resolve(*, actor: User, dispute_id: str, data: DisputeResolve) -> DisputeRead:
    """Operator staff resolve a dispute under investigation; what the outcome needs (a
    payment reversed, a credit note for BSS) is done or recorded in the same step."""
    _require_operator(actor)
    outcomes.check(data)
    async with db.transaction() as session:
        dispute = await _load(actor, dispute_id, session)
        _require_status(dispute, DisputeStatus.INVESTIGATING, "resolved")
        resolution = await outcomes.carry_out(
            actor=actor, dispute=dispute, data=data, session=session
        )
        fields = {"status": DisputeStatus.RESOLVED, "resolution": resolution}
        await _write(dispute, fields, session)
        await customers.release_billing_dispute(
            actor=actor,
            customer_id=dispute.customer_id,
            dispute_id=str(dispute.id),
            session=session,
        )
        after = {"status": "resolved", "resolution": resolution.model_dump(mode="json")}
        await _audit(actor, "dispute.resolve", dispute, after, session)
    await _reevaluate(dispute.customer_id)
    return await _read(dispute)


def _require_status(dispute: BillingDispute, status: DisputeStatus, step: str) -> None:
    if dispute.status is not status:
        raise InvalidTransition(
            f"A dispute that is {dispute.status.value} cannot be {step}",
            status=dispute.status.value,
        )


async def _write(
    dispute: BillingDispute, fields: dict[str, Any], session: AsyncClientSession
) -> None:
    fields = {**fields, "updated_at": clock.now()}
    if not await repository.update(dispute, fields, session=session):
        raise DisputeChanged(f"Dispute {dispute.id} changed; reload and retry")
    for name, value in fields.items():
        setattr(dispute, name, value)
    dispute.version += 1


async def _reevaluate(customer_id: str) -> None:
    await reevaluate_accounts(await customers.account_ids_of(customer_id))


async def _audit(
    actor: User | None,
    action: str,
    dispute: BillingDispute,
    after: dict[str, Any],
    session: AsyncClientSession,
) -> None:
    await audit.record(
        actor=actor,
        action=action,
        entity_type="dispute",
        entity_id=str(dispute.id),
        after=after,
        drc_id=dispute.drc_id,
        session=session,
    )
