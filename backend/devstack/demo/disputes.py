"""Disputes on some of the billed accounts, raised and worked by operator staff through
the disputes service: open ones, one under investigation, and one of each resolution."""

from __future__ import annotations

from backend.billing import service as billing
from backend.core.money import Money
from backend.customers import service as customers
from backend.devstack.demo.billing import BILLED_ACCOUNTS
from backend.devstack.demo.work import Work
from backend.disputes import service as disputes
from backend.disputes.models import DisputeKind, DisputeOutcome
from backend.disputes.schemas import DisputeCreate, DisputeResolve

# (kind, what the customer says, how it ends: None still open, "" under investigation)
STORIES: tuple[tuple[DisputeKind, str, DisputeOutcome | str | None], ...] = (
    (DisputeKind.INCORRECT_CHARGE, "Charged for PEO TV after the package was cancelled", None),
    (DisputeKind.PAYMENT_NOT_CREDITED, "Paid at the branch on the 3rd; not on the bill", ""),
    (DisputeKind.DUPLICATE_CHARGE, "The monthly charge appears twice", DisputeOutcome.CREDIT),
    (DisputeKind.REFUND_REQUEST, "Paid the same bill twice by card", DisputeOutcome.CORRECT),
    (DisputeKind.INCORRECT_CHARGE, "Says the router rental was returned", DisputeOutcome.REJECTED),
)
NOTES = {
    DisputeOutcome.CREDIT: "The second charge was a billing run error; credit note asked of BSS",
    DisputeOutcome.CORRECT: "The second payment was kept as credit on the account",
    DisputeOutcome.REJECTED: "RCMP has no return of the router on record",
}


async def raise_disputes(work: Work) -> int:
    """The stories, each on a billed account with an invoice; how many were raised."""
    ids: list[str] = await anext(customers.account_id_batches(size=BILLED_ACCOUNTS), [])
    raised = 0
    for account_id, (kind, said, ending) in zip(ids[::7], STORIES, strict=False):
        invoice = next(iter(await billing.open_invoices(account_id)), None)
        data = DisputeCreate(
            kind=kind,
            account_id=account_id,
            invoice_id=invoice.id if invoice else None,
            description=said,
        )
        dispute = await disputes.raise_dispute(actor=work.operator, data=data)
        raised += 1
        if ending is None:
            continue
        await disputes.investigate(actor=work.operator, dispute_id=dispute.id)
        if isinstance(ending, DisputeOutcome):
            await _resolve(work, dispute.id, ending, invoice.amount if invoice else None)
    return raised


async def _resolve(
    work: Work, dispute_id: str, outcome: DisputeOutcome, billed: Money | None
) -> None:
    amount = billed if outcome is DisputeOutcome.CREDIT else None
    if outcome is DisputeOutcome.CREDIT and amount is None:
        outcome = DisputeOutcome.CORRECT
    data = DisputeResolve(outcome=outcome, amount=amount, note=NOTES[outcome])
    await disputes.resolve(actor=work.admin, dispute_id=dispute_id, data=data)
