"""Statement files as the bank writes them, for the tests."""

from __future__ import annotations

import itertools
from datetime import date

from backend.devstack.bank import Transaction

_ids = itertools.count(1)
DAY = date(2026, 11, 30)


def transaction(amount: int = 12_500, **fields) -> Transaction:
    """A credit of `amount` cents booked on DAY, with a new bank reference."""
    values = {
        "transaction_id": f"FT{DAY:%y%m%d}{next(_ids):05d}",
        "amount": amount,
        "booking_date": DAY,
        "reference": "UNKNOWN-REF",
        "counterparty": "K. Perera",
        **fields,
    }
    return Transaction(**values)
