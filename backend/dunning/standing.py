"""An account's standing, read from what DebtX holds: the account's products and their
arrears (from BSS through intake), its cases (overdue since, outstanding, payments,
promises kept and broken, a settlement being paid), and the customer's dispute.

Where an open case follows the account's arrears, the case's outstanding is what is
owed (payments reduce it); a case whose arrears were paid after BSS's figures for the
account were written says its products owe nothing; other products count their BSS arrears.

Where BSS sent invoices for the account, they decide instead (`backend.billing`): the
overdue part of the open invoices less DebtX's credit on them, days past due from the
oldest overdue invoice, and the unpaid invoices; a payment recorded on an open arrears
case does not credit an invoice, so in that case's currency the account owes at most
the case's outstanding.

A chunk of accounts is read ahead (`read_ahead`): its accounts, customers, cases and
invoice balances in one query each, so evaluating an account costs its own writes, not
a dozen reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

from backend.billing import service as billing
from backend.billing.service import Balance
from backend.cases import service as cases
from backend.cases.models import Case, PartStatus
from backend.cases.phases import Phase
from backend.customers import service as customers
from backend.customers.models import Account, Customer
from backend.negotiations import service as negotiations
from backend.payments import service as payments
from backend.segments.models import AccountFacts
from backend.settlements import service as settlements


@dataclass
class Reading:
    """One account read afresh."""

    account: Account
    customer: Customer | None
    facts: AccountFacts
    overdue_since: datetime | None
    under_arrangement: bool

    @property
    def owes(self) -> bool:
        return any(v > 0 for v in self.facts.balance.values())


@dataclass
class _Found:
    """What DebtX holds on one account: its documents, cases and invoice balance."""

    account: Account | None
    customer: Customer | None = None
    cases: list[Case] = field(default_factory=list)
    invoices: Balance | None = None  # None: BSS sent no invoice for the account


@dataclass
class _Ahead:
    """A chunk's accounts, customers, cases and balances, each account's handed out once."""

    pending: set[str]
    accounts: dict[str, Account]
    customers: dict[str, Customer]
    cases: dict[str, list[Case]] = field(default_factory=dict)
    balances: dict[str, Balance] = field(default_factory=dict)

    def take(self, account_id: str) -> _Found | None:
        """The account's documents as read ahead; None when not read ahead (or asked again)."""
        if account_id not in self.pending:
            return None
        self.pending.discard(account_id)
        account = self.accounts.get(account_id)
        customer = self.customers.get(account.customer_id) if account is not None else None
        cases = self.cases.get(account_id, [])
        return _Found(account, customer, cases, self.balances.get(account_id))


_ahead: ContextVar[_Ahead | None] = ContextVar("dunning_read_ahead", default=None)


@asynccontextmanager
async def read_ahead(account_ids: list[str]) -> AsyncIterator[None]:
    """Within the block, `read` takes each of these accounts (once) from one read of the
    chunk's accounts, customers, cases and invoice balances; anything else, or asked
    again, is read afresh."""
    accounts = await customers.accounts_by_ids(account_ids)
    owners = sorted({a.customer_id for a in accounts.values()})
    ahead = _Ahead(
        pending=set(account_ids),
        accounts=accounts,
        customers=await customers.customers_unscoped(owners),
        cases=await cases.of_accounts(account_ids),
        balances=await billing.balances(account_ids),
    )
    token = _ahead.set(ahead)
    try:
        yield
    finally:
        _ahead.reset(token)


async def _documents(account_id: str) -> _Found:
    ahead = _ahead.get()
    found = ahead.take(account_id) if ahead is not None else None
    if found is not None:
        return found
    account = await customers.get_account(account_id)
    if account is None:
        return _Found(None)
    customer = await customers.get_unscoped(account.customer_id)
    invoices = (await billing.balances([account_id])).get(account_id)
    return _Found(account, customer, await cases.of_account(account_id), invoices)


def _open_arrears(found: list[Case]) -> list[Case]:
    return [c for c in found if c.phase is not Phase.CLOSED and c.arrears_status is PartStatus.OPEN]


def _paid_since_bss(account: Account, every: list[Case]) -> set[str]:
    """Products whose arrears a case saw paid after the account's BSS figures were written."""
    return {
        p
        for c in every
        if c.arrears_status is PartStatus.DONE and c.updated_at >= account.updated_at
        for p in c.product_ids
    }


def _balance(account: Account, open_cases: list[Case], paid: set[str]) -> dict[str, int]:
    covered = {p for c in open_cases for p in c.product_ids} | paid
    owed: dict[str, int] = {}
    for case in open_cases:
        owed[case.outstanding.currency] = (
            owed.get(case.outstanding.currency, 0) + case.outstanding.amount
        )
    for product in account.products:
        if product.id not in covered:
            money = product.arrears
            owed[money.currency] = owed.get(money.currency, 0) + money.amount
    return {k: v for k, v in owed.items() if v > 0}


async def _arranged(open_cases: list[Case]) -> bool:
    for case in open_cases:
        if await settlements.active_for(case_id=str(case.id)) is not None:
            return True
    return False


@dataclass
class _Owed:
    """What the account owes and since when."""

    balance: dict[str, int]
    overdue_since: datetime | None
    unpaid_count: int


def _by_products(account: Account, every: list[Case], seen: datetime) -> _Owed:
    """From the products' BSS arrears and the open cases that follow them."""
    open_cases = _open_arrears(every)
    balance = _balance(account, open_cases, _paid_since_bss(account, every))
    since = [c.overdue_since for c in open_cases if c.overdue_since is not None]
    overdue_since = (min(since) if since else seen) if balance else None
    unpaid = sum(1 for p in account.products if p.arrears.amount > 0)
    return _Owed(balance, overdue_since, unpaid)


def _by_invoices(invoices: Balance, every: list[Case]) -> _Owed:
    """From the overdue invoices; an open arrears case's outstanding caps its currency."""
    owed = invoices.arrears_by_currency()
    cap: dict[str, int] = {}
    for case in _open_arrears(every):
        money = case.outstanding
        cap[money.currency] = cap.get(money.currency, 0) + money.amount
    balance = {k: min(v, cap.get(k, v)) for k, v in owed.items()}
    balance = {k: v for k, v in balance.items() if v > 0}
    since = invoices.oldest_overdue_due_date if balance else None
    return _Owed(balance, since, invoices.unpaid_count)


async def read(account_id: str, *, now: datetime, seen_since: datetime | None) -> Reading | None:
    """The account's facts now; `seen_since` is when dunning first saw it overdue."""
    found = await _documents(account_id)
    account, customer, every = found.account, found.customer, found.cases
    if account is None:
        return None
    if found.invoices is not None:
        owed = _by_invoices(found.invoices, every)
    else:
        owed = _by_products(account, every, seen_since or now)
    case_ids = [str(c.id) for c in every]
    kept, broken = await negotiations.promise_record(case_ids)
    facts = AccountFacts(
        account_id=account.id,
        customer_id=account.customer_id,
        balance=owed.balance,
        days_past_due=max((now - owed.overdue_since).days, 0) if owed.overdue_since else 0,
        unpaid_count=owed.unpaid_count,
        payments=await payments.count_of_cases(case_ids),
        promises_kept=kept,
        promises_broken=broken,
        disputed=customer is not None and customer.dispute is not None,
        region=account.region or (customer.region if customer else None),
        product_types=sorted({p.type for p in account.products}),
        customer_group=customer.group_id if customer else None,
    )
    arranged = await _arranged(_open_arrears(every))
    return Reading(account, customer, facts, owed.overdue_since, arranged)
