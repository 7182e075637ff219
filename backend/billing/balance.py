"""An account's balance and arrears, computed from its invoices by aggregation: what is
owed (open invoices less DebtX's credit on them, per currency), the overdue part, the
days past due of the oldest overdue invoice and how many invoices are unpaid."""

from __future__ import annotations

from datetime import datetime, time

from pydantic import BaseModel

from backend.billing import repository
from backend.core import clock
from backend.core.money import Money


class Balance(BaseModel):
    """An account's standing by its invoices."""

    account_id: str
    owed: list[Money] = []  # per currency, open invoices less credit
    arrears: list[Money] = []  # the overdue part of `owed`
    days_past_due: int = 0  # of the oldest overdue invoice
    oldest_overdue_due_date: datetime | None = None
    unpaid_count: int = 0  # open invoices with something still owed
    invoice_count: int = 0  # every invoice BSS sent for the account

    def owed_by_currency(self) -> dict[str, int]:
        return {m.currency: m.amount for m in self.owed if m.amount > 0}

    def arrears_by_currency(self) -> dict[str, int]:
        return {m.currency: m.amount for m in self.arrears if m.amount > 0}


def _today(now: datetime) -> datetime:
    return datetime.combine(now.date(), time(), tzinfo=now.tzinfo)


def _fold(account_id: str, rows: list[dict], now: datetime) -> Balance:
    """One account's rows (one per currency) as its balance."""
    balance = Balance(account_id=account_id)
    oldest = [r["oldest_overdue"] for r in rows if r.get("oldest_overdue") is not None]
    for row in sorted(rows, key=lambda r: r["_id"]["currency"]):
        currency = row["_id"]["currency"]
        balance.owed.append(Money(amount=row["owed"], currency=currency))
        balance.arrears.append(Money(amount=row["arrears"], currency=currency))
        balance.unpaid_count += row["unpaid"]
        balance.invoice_count += row["invoices"]
    if oldest:
        balance.oldest_overdue_due_date = min(oldest)
        balance.days_past_due = max((_today(now) - balance.oldest_overdue_due_date).days, 0)
    return balance


async def balances(account_ids: list[str], *, now: datetime | None = None) -> dict[str, Balance]:
    """The balance of each account among `account_ids` that has invoices, one aggregation."""
    now = now or clock.now()
    rows = await repository.balance_rows(account_ids, today=_today(now))
    by_account: dict[str, list[dict]] = {}
    for row in rows:
        by_account.setdefault(row["_id"]["account"], []).append(row)
    return {a: _fold(a, found, now) for a, found in by_account.items()}


async def account_balance(account_id: str, *, now: datetime | None = None) -> Balance:
    """The account's balance by its invoices (all zero when BSS sent none)."""
    found = await balances([account_id], now=now)
    return found.get(account_id) or Balance(account_id=account_id)
