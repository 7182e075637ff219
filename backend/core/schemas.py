"""Shapes shared by every domain's API schemas."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import Path
from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})$")


# Text that is not all blanks. Spelled out rather than `\S` so Python's `re` and the JSON
# Schema (ECMA 262) pattern agree: Python counts U+001C-U+001F and U+0085 as whitespace,
# ECMA 262 counts U+FEFF; here all of them are blanks on both sides.
NOT_BLANK = r"[^\s\x1c-\x1f\x85\ufeff]"
# A single word: no blank anywhere (tokens, versions).
NO_BLANKS = rf"^{NOT_BLANK}+$"
# Free text a person writes down beside a record: a payment's note, a contact's notes.
Notes = Annotated[str, StringConstraints(min_length=1, max_length=2000, pattern=NOT_BLANK)]
# Why a person changed something by hand (an override, a hold), kept in the audit trail.
Reason = Annotated[str, StringConstraints(min_length=3, max_length=500, pattern=NOT_BLANK)]
# What staff call a thing they configure (a segment, a strategy).
Label = Annotated[str, StringConstraints(min_length=1, max_length=100, pattern=NOT_BLANK)]


class RequestModel(BaseModel):
    """A request body: unknown fields are refused rather than silently dropped.

    In update bodies a field that may be left out but never cleared is written
    `name: Name = omittable()`: absent means unchanged, and null is refused (the
    schema says so too). `phone: Phone | None = None` may be cleared with null.
    """

    model_config = ConfigDict(extra="forbid")


def omittable(**constraints: Any) -> Any:
    """The default of an update field that may be left out but never set to null."""
    return Field(default=None, **constraints)


def _rfc3339(value: Any) -> Any:
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise ValueError("expected an RFC 3339 date-time with a UTC offset")
    return value


def _json_number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("expected a JSON number")
    return value


# Numbers and flags are taken as JSON gives them: `false` is not 0 and "3" is not 3,
# while 186.0 is the integer 186, as JSON Schema says. Put range constraints before
# JsonNumber in the Annotated metadata, or they vanish from the OpenAPI schema:
#     Capacity = Annotated[int, Field(ge=0), JsonNumber]
JsonNumber = BeforeValidator(_json_number)
StrictBool = Annotated[bool, Strict()]
# A count, a number of days or an amount of minor units, as JSON gives it (bounded, so a
# number past what the database stores is refused, not a server error).
Count = Annotated[int, Field(ge=0, le=10**9), JsonNumber]
Minor = Annotated[int, Field(ge=-(10**13), le=10**13), JsonNumber]
Timestamp = Annotated[AwareDatetime, BeforeValidator(_rfc3339)]


def _iso_day(value: Any) -> Any:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or not _DAY.match(value):
        raise ValueError("expected a calendar date, YYYY-MM-DD")
    return value


# A calendar day as JSON gives it: "2025-07-01", never a number or a date-time.
# Days are UTC days throughout DebtX.
Day = Annotated[date, BeforeValidator(_iso_day)]


# A billing account's number as BSS gives it, in a route's path.
ACCOUNT_NUMBER = r"^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$"
AccountNumber = Annotated[str, Path(pattern=ACCOUNT_NUMBER, description="BSS account number")]
