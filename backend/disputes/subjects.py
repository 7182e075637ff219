"""What a new dispute names: an account within the caller's reach, the case it was raised
on, and the invoice, payment or receipt it is about, all of one account."""

from __future__ import annotations

from dataclasses import dataclass

from backend.billing import service as billing
from backend.cases import service as cases
from backend.cases.errors import CaseNotFound
from backend.cases.models import Case
from backend.customers import service as customers
from backend.customers.models import Account
from backend.disputes.errors import DisputeSubjectInvalid
from backend.disputes.schemas import DisputeCreate
from backend.payments import service as payments
from backend.payments.errors import PaymentNotFound
from backend.receipts import service as receipts
from backend.receipts.errors import ReceiptNotFound
from backend.users.models import User


@dataclass(frozen=True)
class Subject:
    account: Account
    case: Case | None
    invoice_id: str | None = None


async def subject_of(actor: User, data: DisputeCreate) -> Subject:
    """The account and case of a new dispute, once each named record checks out."""
    account = await customers.get_account(data.account_id)
    case = await _case(actor, data) if data.case_id else None
    if case is None and not actor.is_operator:
        raise DisputeSubjectInvalid.on("case_id", "DRC staff raise a dispute on a case they hold")
    if account is None or (case is not None and case.account_id != account.id):
        raise DisputeSubjectInvalid.on("account_id", f"No account {data.account_id} here")
    if case is None:
        case = await _open_case_of(account.id)
    if data.payment_id:
        await _check_payment(actor, data.payment_id, account.id)
    if data.receipt_id:
        await _check_receipt(actor, data.receipt_id, account.id)
    invoice_id = await _invoice_of(data.invoice_id, account.id) if data.invoice_id else None
    return Subject(account=account, case=case, invoice_id=invoice_id)


async def _invoice_of(number_or_id: str, account_id: str) -> str:
    """The BSS id of the account's invoice with this id or number."""
    invoice = await billing.find_invoice(number_or_id)
    if invoice is None or invoice.account_id != account_id:
        raise DisputeSubjectInvalid.on("invoice_id", f"No invoice {number_or_id} on the account")
    return invoice.id


async def _check_receipt(actor: User, receipt_id: str, account_id: str) -> None:
    """Operator staff name a receipt of the account, or one in suspense (no account)."""
    problem = DisputeSubjectInvalid.on("receipt_id", f"No receipt {receipt_id} on the account")
    if not actor.is_operator:
        raise problem
    try:
        receipt = await receipts.get_receipt(actor=actor, receipt_id=receipt_id)
    except ReceiptNotFound as exc:
        raise problem from exc
    if receipt.account_id not in (None, account_id):
        raise problem


async def _case(actor: User, data: DisputeCreate) -> Case:
    assert data.case_id is not None
    try:
        return await cases.get_for(actor=actor, case_id=data.case_id)
    except CaseNotFound as exc:
        raise DisputeSubjectInvalid.on("case_id", f"No case {data.case_id}") from exc


async def _open_case_of(account_id: str) -> Case | None:
    """The account's open case, so its DRC and officer see the dispute."""
    return next((c for c in await cases.of_account(account_id) if c.is_open), None)


async def _check_payment(actor: User, payment_id: str, account_id: str) -> None:
    problem = DisputeSubjectInvalid.on("payment_id", f"No payment {payment_id} on the account")
    try:
        payment = await payments.get_payment(actor=actor, payment_id=payment_id)
    except PaymentNotFound as exc:
        raise problem from exc
    case = await cases.get_unscoped(payment.case_id)
    if case is None or case.account_id != account_id:
        raise problem
