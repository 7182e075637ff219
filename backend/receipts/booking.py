"""Booking a matched receipt, automatically or by hand: to the account's open case as a
payment (promises, instalments, commission, dunning and cure follow), or to an account
without one through its invoices; all in one transaction with the receipt's change."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.errors import CaseClosed
from backend.core import clock, db
from backend.core.errors import DomainError
from backend.payments import service as payments
from backend.payments.errors import (
    AmountInvalid,
    DuplicateReference,
    NothingOutstanding,
    PaidAtInvalid,
)
from backend.payments.models import PaymentChannel
from backend.payments.schemas import PaymentCreate
from backend.receipts import invoices, repository
from backend.receipts.errors import MatchRefused, ReceiptBooked, ReceiptNotFound, ReceiptRefunded
from backend.receipts.matching import Target, Unmatched
from backend.receipts.models import Provider, Receipt, ReceiptFlag, ReceiptStatus
from backend.users.models import User
from backend.worker.dispatch import reevaluate_accounts

CHANNELS = {
    Provider.MPESA: PaymentChannel.MOBILE_MONEY,
    Provider.BANK: PaymentChannel.BANK,
    Provider.CARD: PaymentChannel.CARD,
}
# What a case refuses a payment for: the receipt stays in suspense (or, by hand, a 422).
CANNOT_TAKE = (NothingOutstanding, AmountInvalid, PaidAtInvalid, CaseClosed, DuplicateReference)


async def settle(
    receipt_id: str,
    found: Target | Unmatched,
    *,
    flags: list[ReceiptFlag],
    actor: User | None,
) -> Receipt:
    """Book the receipt where it was matched, or leave it in suspense saying why."""
    if isinstance(found, Unmatched):
        return await _suspend(receipt_id, found.reason, flags)
    try:
        receipt = await _retrying(lambda: _book(receipt_id, found, flags, actor))
    except CANNOT_TAKE as exc:
        if actor is not None:
            raise MatchRefused.on("case_id", exc.detail) from exc
        return await _suspend(receipt_id, f"the case could not take it: {exc.detail}", flags)
    await reevaluate_accounts([found.account_id])
    return receipt


async def _retrying(work: Callable[[], Awaitable[Receipt]], *, tries: int = 10) -> Receipt:
    """Run the booking again when it lost a race with a concurrent write to the same case
    (its version guard or the server's write conflict), after a jittered wait that grows
    up to a second: payments for one case arriving together are booked one after another.
    A booking that still loses is finished by the stalled-receipts sweep."""
    for n in range(tries - 1):
        try:
            return await work()
        except DomainError as exc:
            if not exc.retryable:
                raise
            await asyncio.sleep(min(random.uniform(0.01, 0.04) * 2**n, 1.0))
    return await work()


async def in_suspense(receipt_id: str, session: AsyncClientSession | None = None) -> Receipt:
    """The receipt, if it is still in suspense; a booked or refunded one is a 409."""
    receipt = await repository.get(receipt_id, session=session)
    if receipt is None:
        raise ReceiptNotFound(f"No receipt {receipt_id}")
    if receipt.status is ReceiptStatus.BOOKED:
        raise ReceiptBooked(f"receipt {receipt_id} is already booked")
    if receipt.status is ReceiptStatus.REFUNDED:
        raise ReceiptRefunded(f"receipt {receipt_id} was refunded")
    return receipt


async def _suspend(receipt_id: str, reason: str, flags: list[ReceiptFlag]) -> Receipt:
    receipt = await in_suspense(receipt_id)
    return await repository.save(receipt, {"suspense_reason": reason}, flags=flags)


async def _book(
    receipt_id: str, target: Target, flags: list[ReceiptFlag], actor: User | None
) -> Receipt:
    async with db.transaction() as txn:
        receipt = await in_suspense(receipt_id, txn)
        fields: dict[str, Any] = {
            "status": ReceiptStatus.BOOKED,
            "match": target.kind,
            "account_id": target.account_id,
            "case_id": target.case_id,
            "suspense_reason": None,
            "booked_at": clock.now(),
        }
        if target.case_id is not None:
            fields.update(await _pay_case(receipt, target.case_id, actor, txn))
        else:
            fields["invoice_ids"] = await invoices.credit_invoices(
                account_id=target.account_id,
                amount=receipt.amount,
                receipt_id=receipt.id,
                session=txn,
            )
        await repository.save(receipt, fields, flags=flags, session=txn)
        await audit.record(
            actor=actor,
            action="receipt.match" if actor else "receipt.book",
            entity_type="receipt",
            entity_id=receipt.id,
            after=summary(receipt),
            drc_id=receipt.drc_id,
            session=txn,
        )
    return receipt


async def _pay_case(
    receipt: Receipt, case_id: str, actor: User | None, session: AsyncClientSession
) -> dict:
    """The payment on the case; one staff already recorded with this reference is kept."""
    case = await cases.get_unscoped(case_id, session=session)
    if case is None:
        raise CaseClosed(f"Case {case_id} is gone")
    channel = CHANNELS[receipt.provider]
    known = await payments.by_reference(channel, receipt.transaction_id, session=session)
    if known is not None:
        return {"payment_id": known.id, "case_id": known.case_id, "drc_id": known.drc_id}
    data = PaymentCreate(
        amount=receipt.amount,
        paid_at=receipt.paid_at,
        channel=channel,
        reference=receipt.transaction_id,
        note=f"{receipt.provider.value} receipt {receipt.transaction_id}",
    )
    payment = await payments.book_provider_payment(
        case=case, data=data, provider=receipt.provider.value, actor=actor, session=session
    )
    return {"payment_id": payment.id, "drc_id": case.drc_id}


def summary(receipt: Receipt) -> dict:
    return {
        "status": receipt.status.value,
        "match": receipt.match.value if receipt.match else None,
        "amount": receipt.amount.amount,
        "currency": receipt.amount.currency,
        "account_id": receipt.account_id,
        "case_id": receipt.case_id,
        "payment_id": receipt.payment_id,
        "invoice_ids": receipt.invoice_ids,
        "flagged": receipt.flagged,
    }
