"""Which account (and case) a receipt pays: the initiator's hint, then the payer's
reference (account number, then invoice number), then the paying phone, then one
instalment, promise or invoice of exactly the amount due near the day it was paid.
Exactly one candidate is a match; none or several leave the receipt in suspense."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from backend.cases import service as cases
from backend.cases.models import Case, PartStatus
from backend.customers import service as customers
from backend.negotiations import service as negotiations
from backend.receipts import invoices
from backend.receipts.models import MatchKind, Receipt
from backend.settlements import service as settlements


@dataclass(frozen=True)
class Target:
    """Where a receipt is booked: the account, and its open case when it has one."""

    kind: MatchKind
    account_id: str
    case_id: str | None


@dataclass(frozen=True)
class Unmatched:
    """Why the receipt stays in suspense."""

    reason: str


Found = Target | Unmatched | None  # None: this step found nothing, try the next


def owes(case: Case) -> bool:
    """The case is open with arrears outstanding."""
    return case.is_open and case.arrears_status is PartStatus.OPEN and case.outstanding.amount > 0


def takes(case: Case, receipt: Receipt) -> bool:
    """The case owes arrears in the receipt's currency."""
    return owes(case) and case.outstanding.currency == receipt.amount.currency


def oldest_taking(found: list[Case], receipt: Receipt) -> Case | None:
    """The oldest of the cases that can take the receipt, if any."""
    taking = [c for c in found if takes(c, receipt)]
    return min(taking, key=lambda c: (c.created_at, str(c.id))) if taking else None


async def open_case_of(account_id: str, receipt: Receipt) -> Case | None:
    """The account's oldest open case that can take the receipt, if any."""
    return oldest_taking(await cases.of_account(account_id), receipt)


async def target_of(kind: MatchKind, account_id: str, receipt: Receipt) -> Target | Unmatched:
    """The account and its open case; an account whose open cases owe another currency
    is not booked (its invoices are BSS's in the same currency as its cases)."""
    found = await cases.of_account(account_id)
    case = oldest_taking(found, receipt)
    if case is not None:
        return Target(kind, account_id, str(case.id))
    other = sorted({c.outstanding.currency for c in found if owes(c)})
    if other:
        return Unmatched(
            f"account {account_id} owes {', '.join(other)}, not {receipt.amount.currency}"
        )
    return Target(kind, account_id, None)


async def find(receipt: Receipt, *, window_days: int) -> Target | Unmatched:
    """The one place the receipt is booked, or why it stays in suspense."""
    steps: list[Callable[[], Awaitable[Found]]] = [
        lambda: _by_hint(receipt),
        lambda: _by_reference(receipt),
        lambda: _by_invoice(receipt),
        lambda: _by_phone(receipt, window_days),
        lambda: _by_amount(receipt, window_days),
    ]
    for step in steps:
        found = await step()
        if found is not None:
            return found
    return Unmatched("no account, invoice, phone or amount due matched")


async def _by_hint(receipt: Receipt) -> Found:
    if receipt.case_hint:
        case = await cases.get_unscoped(receipt.case_hint)
        if case is not None and takes(case, receipt):
            return Target(MatchKind.HINT, case.account_id, str(case.id))
        if case is not None:
            return await target_of(MatchKind.HINT, case.account_id, receipt)
    if receipt.account_hint and await customers.get_account(receipt.account_hint):
        return await target_of(MatchKind.HINT, receipt.account_hint, receipt)
    return None


async def _by_reference(receipt: Receipt) -> Found:
    reference = (receipt.reference or "").strip()
    for candidate in dict.fromkeys((reference, reference.upper())):
        if candidate and await customers.get_account(candidate):
            return await target_of(MatchKind.REFERENCE, candidate, receipt)
    return None


async def _by_invoice(receipt: Receipt) -> Found:
    reference = (receipt.reference or "").strip()
    account_id = await invoices.account_of_invoice(reference) if reference else None
    return None if account_id is None else await target_of(MatchKind.INVOICE, account_id, receipt)


async def _by_phone(receipt: Receipt, window_days: int) -> Found:
    if not receipt.phone:
        return None
    accounts: list[str] = []
    for customer_id in await customers.ids_with_mobile(receipt.phone):
        accounts += await customers.account_ids_of(customer_id)
    if len(accounts) > 1:  # one customer, many accounts: the one with an open case
        with_case = [a for a in accounts if await open_case_of(a, receipt)]
        accounts = with_case or accounts
    if len(accounts) > 1:  # still several: the one owing exactly this amount now
        due = await _accounts_owing(receipt, window_days)
        accounts = [a for a in accounts if a in due] or accounts
    if not accounts:
        return None
    if len(accounts) > 1:
        return Unmatched(f"the phone is a contact on {len(accounts)} accounts")
    return await target_of(MatchKind.PHONE, accounts[0], receipt)


async def _by_amount(receipt: Receipt, window_days: int) -> Found:
    due = await _accounts_owing(receipt, window_days)
    if not due:
        return None
    if len(due) > 1:
        return Unmatched(f"{len(due)} accounts owe exactly this amount now")
    return await target_of(MatchKind.AMOUNT_WINDOW, next(iter(due)), receipt)


async def _accounts_owing(receipt: Receipt, window_days: int) -> set[str]:
    """Accounts with an instalment, promise or invoice of exactly the amount due near the
    day it was paid (open cases only)."""
    day, span = receipt.paid_at.date(), timedelta(days=window_days)
    start, end = day - span, day + span
    case_ids = await settlements.cases_with_next_instalment(receipt.amount, start=start, end=end)
    case_ids |= await negotiations.cases_with_promise_of(receipt.amount, start=start, end=end)
    found = await cases.many_by_id(sorted(case_ids))
    accounts = {c.account_id for c in found if takes(c, receipt)}
    return accounts | await invoices.accounts_with_invoice_due(receipt.amount, start=start, end=end)
