"""An account's standing, read from what DebtX holds: the account's products and their
arrears (from BSS through intake), its cases (overdue since, outstanding, payments,
promises kept and broken, a settlement being paid), and the customer's dispute.

Where an open case follows the account's arrears, the case's outstanding is what is
owed (payments reduce it); a case whose arrears were paid after BSS's figures for the
account were written says its products owe nothing; other products count their BSS arrears.
"""

from __future__ import annotations

from dataclasses import dataclass
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
    account = await customers.get_account(account_id)
    if account is None:
        return None
    customer = await customers.get_unscoped(account.customer_id)
    every = await cases.of_account(account_id)
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
