"""An account's standing, read from what DebtX holds: the account's products and their
arrears (from BSS through intake), its cases (overdue since, outstanding, payments,
promises kept and broken, a settlement being paid), and the customer's dispute.

Where an open case follows the account's arrears, the case's outstanding is what is
owed (payments reduce it); a case whose arrears were paid after BSS's figures for the
account were written says its products owe nothing; other products count their BSS arrears.

A chunk of accounts is read ahead (`read_ahead`): its accounts, customers and cases in
one query each, so evaluating an account costs its own writes, not a dozen reads.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime

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
class _Ahead:
    """A chunk's accounts, customers and cases, each account's handed out once."""

    pending: set[str]
    accounts: dict[str, Account]
    customers: dict[str, Customer]
    cases: dict[str, list[Case]] = field(default_factory=dict)

    def take(self, account_id: str) -> tuple[Account | None, Customer | None, list[Case]] | None:
        """The account's documents as read ahead; None when not read ahead (or asked again)."""
        if account_id not in self.pending:
            return None
        self.pending.discard(account_id)
        account = self.accounts.get(account_id)
        customer = self.customers.get(account.customer_id) if account is not None else None
        return account, customer, self.cases.get(account_id, [])


_ahead: ContextVar[_Ahead | None] = ContextVar("dunning_read_ahead", default=None)


@asynccontextmanager
async def read_ahead(account_ids: list[str]) -> AsyncIterator[None]:
    """Within the block, `read` takes each of these accounts (once) from one read of the
    chunk's accounts, customers and cases; anything else, or asked again, is read afresh."""
    accounts = await customers.accounts_by_ids(account_ids)
    owners = sorted({a.customer_id for a in accounts.values()})
    ahead = _Ahead(
        pending=set(account_ids),
        accounts=accounts,
        customers=await customers.customers_unscoped(owners),
        cases=await cases.of_accounts(account_ids),
    )
    token = _ahead.set(ahead)
    try:
        yield
    finally:
        _ahead.reset(token)


async def _documents(account_id: str) -> tuple[Account | None, Customer | None, list[Case]]:
    ahead = _ahead.get()
    found = ahead.take(account_id) if ahead is not None else None
    if found is not None:
        return found
    account = await customers.get_account(account_id)
    if account is None:
        return None, None, []
    customer = await customers.get_unscoped(account.customer_id)
    return account, customer, await cases.of_account(account_id)


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


async def read(account_id: str, *, now: datetime, seen_since: datetime | None) -> Reading | None:
    """The account's facts now; `seen_since` is when dunning first saw it overdue."""
    account, customer, every = await _documents(account_id)
    if account is None:
        return None
    open_cases = _open_arrears(every)
    balance = _balance(account, open_cases, _paid_since_bss(account, every))
    case_ids = [str(c.id) for c in every]
    kept, broken = await negotiations.promise_record(case_ids)
    since = [c.overdue_since for c in open_cases if c.overdue_since is not None]
    overdue_since = (min(since) if since else seen_since or now) if balance else None
    facts = AccountFacts(
        account_id=account.id,
        customer_id=account.customer_id,
        balance=balance,
        days_past_due=max((now - overdue_since).days, 0) if overdue_since else 0,
        unpaid_count=sum(1 for p in account.products if p.arrears.amount > 0),
        payments=await payments.count_of_cases(case_ids),
        promises_kept=kept,
        promises_broken=broken,
        disputed=customer is not None and customer.dispute is not None,
        region=account.region or (customer.region if customer else None),
        product_types=sorted({p.type for p in account.products}),
    )
    return Reading(account, customer, facts, overdue_since, await _arranged(open_cases))
