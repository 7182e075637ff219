"""Money as integer minor units with a currency. Never floats."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from backend.core.schemas import JsonNumber

DEFAULT_CURRENCY = "LKR"
Currency = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
MinorUnits = Annotated[int, Field(ge=0, le=10**13), JsonNumber]
_MAJOR_UNITS = re.compile(r"^[0-9]{1,11}(\.[0-9]{1,2})?$")


class CurrencyMismatch(ValueError):
    pass


class Money(BaseModel):
    """An amount in minor units (cents): `{"amount": 125050, "currency": "LKR"}` is 1,250.50."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: MinorUnits
    currency: Currency = DEFAULT_CURRENCY

    @classmethod
    def zero(cls, currency: str = DEFAULT_CURRENCY) -> Money:
        return cls(amount=0, currency=currency)

    def _same(self, other: Money) -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"{self.currency} and {other.currency} do not mix")

    def __add__(self, other: Money) -> Money:
        self._same(other)
        return Money(amount=self.amount + other.amount, currency=self.currency)

    def minus(self, other: Money) -> Money:
        """The difference, floored at zero (what is still owed never goes negative)."""
        self._same(other)
        return Money(amount=max(self.amount - other.amount, 0), currency=self.currency)

    def covers(self, other: Money) -> bool:
        self._same(other)
        return self.amount >= other.amount

    def share(self, basis_points: int) -> Money:
        """`basis_points`/10,000 of this amount, rounded half up to a minor unit."""
        return Money(amount=(self.amount * basis_points + 5_000) // 10_000, currency=self.currency)

    def __str__(self) -> str:
        return f"{self.currency} {self.amount // 100:,}.{self.amount % 100:02d}"


def major_units(value: Any) -> int:
    """`1250.50` (text or JSON number) as 125050 minor units; floats are never involved."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError("expected a decimal amount such as 1250.50")
    text = str(value)
    if not _MAJOR_UNITS.match(text):
        raise ValueError("expected a decimal amount such as 1250.50 (at most two decimals)")
    try:
        return int(Decimal(text) * 100)
    except InvalidOperation as exc:
        raise ValueError("expected a decimal amount such as 1250.50") from exc


def major_text(minor: int) -> Decimal:
    """Minor units as a decimal in major units with two places: 125050 is 1250.50."""
    return Decimal(minor).scaleb(-2)
