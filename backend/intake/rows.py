"""Bulk intake files, read row by row from a stream of bytes: CSV or JSON Lines.

Both formats carry the same fields: a CSV file names them in its header line (any
order, case-insensitive), a JSON Lines file has one JSON object per line with them as
keys. Text is UTF-8 (a byte-order mark is allowed). Blank cells, empty strings and
JSON nulls mean "not given". Unknown columns refuse the whole CSV file; unknown keys
refuse that JSON line.

| field          | required | meaning                                                          |
|----------------|----------|------------------------------------------------------------------|
| external_ref   | yes      | the incident's reference in the source system; unique per source |
| action         | yes      | `arrears`, `cpe` or `arrears_and_cpe`                            |
| account_id     | yes      | BSS account number                                               |
| customer_id    | yes      | CRM customer reference                                           |
| customer_name  | yes      | the customer's name                                              |
| nic            | no       | national identity (or business registration) number              |
| region         | no       | the customer's region, used by allocation                        |
| address        | no       | billing address (also added as an address contact)               |
| language       | no       | `en`, `si` or `ta`                                               |
| mobile         | no       | mobile number, added as a contact                                |
| landline       | no       | landline number, added as a contact                              |
| email          | no       | email address, added as a contact                                |
| product_id     | yes      | the product (line, service) in arrears or holding equipment      |
| product_type   | yes      | e.g. `fibre`, `peo_tv`, `voice`                                  |
| product_status | no       | `active` (default), `suspended` or `disconnected`                |
| arrears        | no       | the product's overdue balance in major units as a decimal with   |
|                |          | at most two decimals, e.g. `1250.50` (JSON: that string, or a    |
|                |          | number); no thousands separators. Blank: none given              |
| currency       | no       | ISO 4217 code, default `LKR`; one of DEBTX_INTAKE__CURRENCIES    |
| overdue_since  | yes      | `YYYY-MM-DD`, not in the future                                  |
| cpe_serial     | no       | one CPE item of the product: serial, model and type, all three   |
| cpe_model      | no       |   or none                                                        |
| cpe_type       | no       |   (e.g. `router`, `set_top_box`, `ont`)                          |

Rows and incidents:

- One row per product, or per CPE item of a product: a product with two routers is two
  rows repeating the product's columns (arrears, when repeated, must be the same).
- Consecutive rows with the same `account_id` and `action` are ONE incident, and open
  one case covering all their products. Its customer columns and `external_ref` must
  agree on every row (blank cells take the others' value); its `overdue_since` is the
  earliest of its rows and its arrears the sum of its products' arrears.
- The same `account_id` and `action` again later in the same file, after other rows,
  is refused: sort the file by account.
- An incident is taken or refused as a whole: one bad row refuses all of its rows.
- `row` in reports is the line number where the record starts, as an editor shows it
  (a CSV header is line 1).
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    StringConstraints,
    ValidationError,
)

from backend.cases.models import Action
from backend.core.money import Currency, major_units
from backend.core.textfiles import csv_records, json_object, jsonl_lines
from backend.customers import contacts
from backend.customers.models import ContactKind, Language, ProductStatus
from backend.customers.schemas import Ref
from backend.intake.errors import InvalidFile
from backend.intake.models import RowProblem
from backend.users.schemas import TRIMMED

EMPTY_CSV = "The file is empty; a CSV intake file starts with its header line"
EXTERNAL_REF_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:/#-]{0,79}$"
_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")

ExternalRef = Annotated[str, StringConstraints(pattern=EXTERNAL_REF_PATTERN)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=80, pattern=TRIMMED)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=120, pattern=TRIMMED)]
Nic = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9/-]{4,20}$")]
Serial = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9._/:-]{0,63}$")]


def iso_date(value: Any) -> Any:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


def _contact(kind: ContactKind):
    return AfterValidator(lambda value: contacts.normalise(kind, value))


ArrearsMinor = Annotated[int, BeforeValidator(major_units)]
IsoDate = Annotated[date, BeforeValidator(iso_date)]


class IntakeRow(BaseModel):
    """One record of an intake file, validated field by field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    external_ref: ExternalRef
    action: Action
    account_id: Ref
    customer_id: Ref
    customer_name: Name
    nic: Nic | None = None
    region: Text | None = None
    address: Annotated[str, _contact(ContactKind.ADDRESS)] | None = None
    language: Language | None = None
    mobile: Annotated[str, _contact(ContactKind.MOBILE)] | None = None
    landline: Annotated[str, _contact(ContactKind.LANDLINE)] | None = None
    email: Annotated[str, _contact(ContactKind.EMAIL)] | None = None
    product_id: Ref
    product_type: Text
    product_status: ProductStatus | None = None
    arrears: ArrearsMinor | None = None
    currency: Currency | None = None
    overdue_since: IsoDate
    cpe_serial: Serial | None = None
    cpe_model: Text | None = None
    cpe_type: Text | None = None


COLUMNS = tuple(IntakeRow.model_fields)
REQUIRED = tuple(name for name, f in IntakeRow.model_fields.items() if f.is_required())


@dataclass
class ParsedRow:
    """A record read from the file: its values if valid, else its problems."""

    line: int
    key: tuple[str, str] | None = None  # (account_id, action) as written
    values: IntakeRow | None = None
    problems: list[RowProblem] = field(default_factory=list)


def parse_record(line: int, fields: dict[str, Any]) -> ParsedRow:
    """Validate one record; the incident key is read even when other fields are bad."""
    account, action = fields.get("account_id"), fields.get("action")
    row = ParsedRow(line)
    if isinstance(account, str) and isinstance(action, str):
        row.key = (account, action)
    try:
        row.values = IntakeRow.model_validate(fields)
    except ValidationError as exc:
        row.problems = [
            RowProblem(
                row=line,
                field=".".join(str(p) for p in err["loc"]) or None,
                reason=err["msg"].removeprefix("Value error, "),
            )
            for err in exc.errors(include_url=False)
        ]
    return row


def broken(line: int, reason: str) -> ParsedRow:
    return ParsedRow(line, problems=[RowProblem(row=line, reason=reason)])


# --------------------------------------------------------------------------- CSV


def _header(fields: list[str] | None) -> list[str]:
    if fields is None:
        raise InvalidFile("The CSV header line cannot be read")
    names = [name.strip().lower() for name in fields]
    unknown = sorted(set(names) - set(COLUMNS))
    missing = [name for name in REQUIRED if name not in names]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if unknown or missing or repeated:
        raise InvalidFile(
            "The CSV header does not match the intake format",
            unknown_columns=unknown,
            missing_columns=missing,
            repeated_columns=repeated,
            columns=list(COLUMNS),
        )
    return names


async def csv_rows(chunks: AsyncIterator[bytes]) -> AsyncIterator[ParsedRow]:
    """Rows of a CSV intake file; a bad header refuses the file (InvalidFile)."""
    header: list[str] | None = None
    async for line, fields, reason in csv_records(chunks):
        if header is None:
            header = _header(fields)
            continue
        if fields is None:
            yield broken(line, reason or "unreadable")
        elif len(fields) != len(header):
            yield broken(line, f"expected {len(header)} fields, found {len(fields)}")
        else:
            values = {n: v.strip() for n, v in zip(header, fields, strict=True) if v.strip()}
            yield parse_record(line, values)
    if header is None:
        raise InvalidFile(EMPTY_CSV)


# --------------------------------------------------------------------------- JSON Lines


async def jsonl_rows(chunks: AsyncIterator[bytes]) -> AsyncIterator[ParsedRow]:
    """Rows of a JSON Lines intake file, one object per line; blank lines are skipped."""
    async for number, text in jsonl_lines(chunks):
        if text is None:
            yield broken(number, "line is too long or not UTF-8 text")
        else:
            parsed = json_object(text)
            if isinstance(parsed, str):
                yield broken(number, parsed)
            else:
                yield parse_record(number, parsed)


def rows_of(fmt: str, chunks: AsyncIterator[bytes]) -> AsyncIterator[ParsedRow]:
    """The rows of a file in `fmt` (csv or jsonl)."""
    return csv_rows(chunks) if fmt == "csv" else jsonl_rows(chunks)


async def count_rows(fmt: str, chunks: AsyncIterator[bytes]) -> int:
    """How many rows `rows_of` will give, without checking their fields; a bad CSV header
    or an empty file is refused here too (InvalidFile)."""
    if fmt != "csv":
        return sum([1 async for _ in jsonl_lines(chunks)])
    header: list[str] | None = None
    count = 0
    async for _, fields, _ in csv_records(chunks):
        if header is None:
            header = _header(fields)
        else:
            count += 1
    if header is None:
        raise InvalidFile(EMPTY_CSV)
    return count
