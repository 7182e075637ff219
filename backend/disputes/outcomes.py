"""What a resolution does. DebtX does not bill: a credit is recorded as a credit note BSS
is to issue (of a disputed invoice: at most its amount). A refund gives the money back: a
disputed payment is reversed through the payments service, a disputed provider receipt is
refunded through the receipts service."""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.billing import service as billing
from backend.disputes.errors import ResolutionInvalid
from backend.disputes.models import BillingDispute, DisputeOutcome, DisputeResolution
from backend.disputes.schemas import DisputeResolve
from backend.payments import service as payments
from backend.receipts import service as receipts
from backend.receipts.models import ReceiptStatus
from backend.receipts.schemas import ReceiptRefund
from backend.users.models import User

_WITH_AMOUNT = {DisputeOutcome.CREDIT, DisputeOutcome.REFUND}


def check(data: DisputeResolve) -> None:
    """A credit or refund names a positive amount; a correction or rejection none."""
    if data.outcome in _WITH_AMOUNT and (data.amount is None or data.amount.amount == 0):
        raise ResolutionInvalid.on("amount", f"A {data.outcome} needs an amount above zero")
    if data.outcome not in _WITH_AMOUNT and data.amount is not None:
        raise ResolutionInvalid.on("amount", f"A {data.outcome} takes no amount")


async def carry_out(
    *, actor: User, dispute: BillingDispute, data: DisputeResolve, session: AsyncClientSession
) -> DisputeResolution:
    """The resolution (already `check`ed), with what was done for it, in the caller's
    transaction."""
    resolution = DisputeResolution(
        outcome=data.outcome, amount=data.amount, note=data.note, by=actor.id
    )
    reason = f"Dispute {dispute.id}: {data.note}"
    if data.outcome is DisputeOutcome.CREDIT:
        if dispute.invoice_id:
            await _check_credit(dispute.invoice_id, data)
        resolution.credit_note_requested = True
    elif data.outcome is DisputeOutcome.REFUND:
        payment_id = dispute.payment_id
        if payment_id is None and dispute.receipt_id:
            payment_id = await _refund_receipt(actor, dispute.receipt_id, reason, resolution)
        if payment_id:
            await _reverse(actor, payment_id, data, reason, session)
            resolution.reversed_payment_id = payment_id
    return resolution


async def _check_credit(invoice_id: str, data: DisputeResolve) -> None:
    """A credit of an invoice is in its currency and at most its amount."""
    invoice = await billing.find_invoice(invoice_id)
    assert data.amount is not None  # check()
    if invoice is not None and (
        invoice.amount.currency != data.amount.currency
        or invoice.amount.amount < data.amount.amount
    ):
        raise ResolutionInvalid.on("amount", f"The invoice was {invoice.amount}; credit no more")


async def _refund_receipt(
    actor: User, receipt_id: str, reason: str, resolution: DisputeResolution
) -> str | None:
    """A receipt in suspense is refunded through receipts; a booked one's payment is
    returned, to be reversed."""
    receipt = await receipts.get_receipt(actor=actor, receipt_id=receipt_id)
    if receipt.status is ReceiptStatus.SUSPENSE:
        await receipts.refund(
            actor=actor, receipt_id=receipt_id, data=ReceiptRefund(reason=reason[:500])
        )
        resolution.refunded_receipt_id = receipt_id
    return receipt.payment_id


async def _reverse(
    actor: User, payment_id: str, data: DisputeResolve, reason: str, session: AsyncClientSession
) -> None:
    """A refund of a payment undoes the whole payment, so it is the payment's amount."""
    payment = await payments.get_payment(actor=actor, payment_id=payment_id)
    if data.amount != payment.amount:
        raise ResolutionInvalid.on("amount", f"The payment was {payment.amount}; refund all of it")
    await payments.reverse_payment(
        actor=actor, payment_id=payment_id, reason=reason[:500], session=session
    )
