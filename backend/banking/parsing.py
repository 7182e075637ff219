"""Bank statement files read into lines: the CSV layout and ISO 20022 camt.053.

The CSV layout (UTF-8, a header line, comma separated, one booked transaction a line):

    value_date,booking_date,amount,currency,credit_debit,reference,counterparty,transaction_id
    2026-12-03,2026-12-04,1250.50,LKR,CRDT,ACC-00010001,K. Perera,FT2612040001

Dates are ISO (YYYY-MM-DD); the amount is positive, in major units with at most two
decimals; `credit_debit` is CRDT or DBIT (C or D also read); `transaction_id` is the
bank's own reference for the transaction. camt.053 is read with defusedxml (no DTDs, no
entities): each BkToCstmrStmt/Stmt/Ntry, or each of its NtryDtls/TxDtls when an entry
batches several. Any line that cannot be read refuses the whole file with every problem.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from enum import StrEnum
from typing import Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from pydantic import TypeAdapter, ValidationError

from backend.banking.errors import StatementMalformed
from backend.core.errors import field_problem
from backend.core.money import Money, major_units
from backend.receipts.schemas import TransactionId

CSV_COLUMNS = (
    "value_date",
    "booking_date",
    "amount",
    "currency",
    "credit_debit",
    "reference",
    "counterparty",
    "transaction_id",
)
_CREDIT = {"CRDT": True, "C": True, "CREDIT": True, "DBIT": False, "D": False, "DEBIT": False}
_NOT_PROVIDED = "NOTPROVIDED"
MAX_PROBLEMS = 50
MAX_TEXT = 100  # the longest reference or name a receipt keeps
_TRANSACTION_ID = TypeAdapter(TransactionId)


class StatementFormat(StrEnum):
    CSV = "csv"
    CAMT053 = "camt053"


@dataclass(frozen=True)
class StatementLine:
    """One transaction of a statement, as the bank booked it."""

    line: int  # its line (CSV) or entry (camt.053) number, from 1
    transaction_id: str
    amount: Money
    credit: bool
    booking_date: date
    value_date: date
    reference: str | None
    counterparty: str | None

    @property
    def booked_at(self) -> datetime:
        """The statement's day for this line, as an aware UTC time."""
        return datetime.combine(self.booking_date, time(), tzinfo=UTC)

    def raw(self) -> dict[str, Any]:
        return {
            "line": self.line,
            "transaction_id": self.transaction_id,
            "amount": self.amount.amount,
            "currency": self.amount.currency,
            "credit_debit": "CRDT" if self.credit else "DBIT",
            "booking_date": self.booking_date.isoformat(),
            "value_date": self.value_date.isoformat(),
            "reference": self.reference,
            "counterparty": self.counterparty,
        }


@dataclass
class ParsedStatement:
    format: StatementFormat
    lines: list[StatementLine]
    bank_statement_id: str | None = None  # camt.053 Stmt/Id
    problems: list[dict[str, str]] = field(default_factory=list)


def detect(content: bytes, filename: str | None) -> StatementFormat:
    """camt.053 for XML (by name or by its first character), else the CSV layout."""
    name = (filename or "").lower()
    if name.endswith(".xml") or content.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return StatementFormat.CAMT053
    return StatementFormat.CSV


def parse(content: bytes, filename: str | None = None) -> ParsedStatement:
    """The statement's lines; a file with any unreadable line is refused whole."""
    fmt = detect(content, filename)
    parsed = parse_camt053(content) if fmt is StatementFormat.CAMT053 else parse_csv(content)
    if parsed.problems:
        raise StatementMalformed(
            f"the {fmt.value} statement has {len(parsed.problems)} problem(s); nothing booked",
            errors=parsed.problems[:MAX_PROBLEMS],
        )
    if not parsed.lines:
        raise StatementMalformed.on("file", "the statement has no transactions")
    return parsed


def _problem(where: str, reason: str) -> dict[str, str]:
    return field_problem(where, reason, StatementMalformed.code)


# --------------------------------------------------------------------------- CSV


def _text(content: bytes) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise StatementMalformed.on("file", "the statement is not UTF-8 text") from exc


def parse_csv(content: bytes) -> ParsedStatement:
    """The CSV layout's lines, with a problem for each line that cannot be read."""
    reader = csv.DictReader(io.StringIO(_text(content), newline=""))
    header = tuple(name.strip().lower() for name in reader.fieldnames or ())
    if header != CSV_COLUMNS:
        reason = "the header must be: " + ",".join(CSV_COLUMNS)
        raise StatementMalformed.on("header", reason)
    parsed = ParsedStatement(StatementFormat.CSV, [])
    for number, row in enumerate(reader, start=2):
        if None in row or any(value is None for value in row.values()):
            parsed.problems.append(_problem(f"line {number}", "wrong number of columns"))
            continue
        try:
            parsed.lines.append(_csv_line(number, row))
        except ValueError as exc:
            parsed.problems.append(_problem(f"line {number}", str(exc)))
    return parsed


def _csv_line(number: int, row: dict[str, str]) -> StatementLine:
    cells = {name.strip().lower(): (value or "").strip() for name, value in row.items()}
    return StatementLine(
        line=number,
        transaction_id=_transaction(cells["transaction_id"]),
        amount=_money(cells["amount"], cells["currency"]),
        credit=_direction(cells["credit_debit"]),
        booking_date=_day(cells["booking_date"], "booking_date"),
        value_date=_day(cells["value_date"], "value_date"),
        reference=_optional(cells["reference"]),
        counterparty=_optional(cells["counterparty"]),
    )


def _transaction(value: str | None) -> str:
    """The bank's transaction id, as the receipts keep it: 3 to 64 letters, digits, `/_.:-`."""
    text = (value or "").strip()
    try:
        return _TRANSACTION_ID.validate_python(text)
    except ValidationError as exc:
        reason = "3 to 64 letters, digits or /_.:- (starting with a letter or digit)"
        raise ValueError(f"transaction id {text!r} is not {reason}") from exc


def _optional(value: str | None) -> str | None:
    """Free text as a receipt keeps it: trimmed, at most 100 characters, None when empty."""
    text = " ".join((value or "").split())[:MAX_TEXT]
    return text or None


def _money(amount: str | None, currency: str | None) -> Money:
    try:
        minor = major_units((amount or "").strip())
    except ValueError as exc:
        raise ValueError(f"amount {amount!r}: {exc}") from exc
    code = (currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValueError(f"currency {currency!r} is not an ISO 4217 code")
    if minor == 0:
        raise ValueError("amount is zero")
    return Money(amount=minor, currency=code)


def _direction(value: str | None) -> bool:
    credit = _CREDIT.get((value or "").strip().upper())
    if credit is None:
        raise ValueError(f"credit_debit {value!r} is neither CRDT nor DBIT")
    return credit


def _day(value: str | None, name: str) -> date:
    text = (value or "").strip()
    try:
        return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(f"{name} {value!r} is not a date (YYYY-MM-DD)") from exc


# --------------------------------------------------------------------------- camt.053


def parse_camt053(content: bytes) -> ParsedStatement:
    """Each entry (or each transaction a batched entry holds) of every statement."""
    try:
        root = fromstring(content, forbid_dtd=True)
    except (ParseError, DefusedXmlException, ValueError) as exc:
        raise StatementMalformed.on("file", f"not well-formed camt.053 XML: {exc}") from exc
    statements = root.findall("{*}BkToCstmrStmt/{*}Stmt")
    if _local(root.tag) != "Document" or not statements:
        raise StatementMalformed.on("file", "no Document/BkToCstmrStmt/Stmt in the file")
    parsed = ParsedStatement(StatementFormat.CAMT053, [])
    parsed.bank_statement_id = _child_text(statements[0], "Id")
    number = 0
    for statement in statements:
        for entry in statement.findall("{*}Ntry"):
            number += 1
            try:
                parsed.lines.extend(_entry_lines(number, entry))
            except ValueError as exc:
                parsed.problems.append(_problem(f"entry {number}", str(exc)))
    return parsed


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _child_text(element: Element | None, path: str) -> str | None:
    if element is None:
        return None
    found = element.find("/".join("{*}" + part for part in path.split("/")))
    text = (found.text or "").strip() if found is not None else ""
    return text or None


def _entry_lines(number: int, entry: Element) -> list[StatementLine]:
    credit = _direction(_child_text(entry, "CdtDbtInd"))
    booked = _camt_day(entry, "BookgDt", "booking date")
    has_value_date = entry.find("{*}ValDt") is not None
    valued = _camt_day(entry, "ValDt", "value date") if has_value_date else booked
    details: list[Element | None] = [*entry.findall("{*}NtryDtls/{*}TxDtls")] or [None]
    lines = []
    for detail in details:
        amount_of = entry if detail is None or len(details) == 1 else _tx_amount(detail)
        lines.append(
            StatementLine(
                line=number,
                transaction_id=_transaction_id(entry, detail),
                amount=_camt_money(amount_of),
                credit=credit,
                booking_date=booked,
                value_date=valued,
                reference=_optional(_child_text(detail, "RmtInf/Ustrd")),
                counterparty=_optional(
                    _child_text(detail, "RltdPties/Dbtr/Nm")
                    or _child_text(detail, "RltdPties/Dbtr/Pty/Nm")
                ),
            )
        )
    return lines


def _tx_amount(detail: Element) -> Element:
    """The batched transaction's own amount: AmtDtls/TxAmt/Amt, else its Amt."""
    for holder in (detail.find("{*}AmtDtls/{*}TxAmt"), detail):
        if holder is not None and holder.find("{*}Amt") is not None:
            return holder
    raise ValueError("a batched transaction has no amount")


def _camt_money(holder: Element) -> Money:
    amount = holder.find("{*}Amt")
    if amount is None:
        raise ValueError("Amt is missing")
    return _money(amount.text, amount.get("Ccy"))


def _camt_day(entry: Element, name: str, what: str) -> date:
    text = _child_text(entry, f"{name}/Dt") or _child_text(entry, f"{name}/DtTm")
    if text is None:
        raise ValueError(f"{name} ({what}) is missing")
    return _day(text[:10], name)


def _transaction_id(entry: Element, detail: Element | None) -> str:
    for found in (
        _child_text(detail, "Refs/AcctSvcrRef"),
        _child_text(detail, "Refs/EndToEndId"),
        _child_text(entry, "AcctSvcrRef"),
    ):
        if found and found.upper() != _NOT_PROVIDED:
            return _transaction(found)
    raise ValueError("no AcctSvcrRef or EndToEndId to identify the transaction")
