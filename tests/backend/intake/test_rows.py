"""Reading intake files: lines, CSV records, JSON Lines, amounts."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from backend.core.textfiles import MAX_LINE_BYTES, lines
from backend.intake.errors import InvalidFile
from backend.intake.rows import COLUMNS, csv_rows, jsonl_rows, major_units
from tests.backend.intake.samples import csv_text, row


async def pieces(data: bytes, size: int = 5) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def collect(iterator):
    return [item async for item in iterator]


async def test_lines_are_numbered_and_overlong_ones_cut_off():
    long = b"x" * (MAX_LINE_BYTES + 10)
    found = await collect(lines(pieces(b"a\n\n" + long + b"\nb", size=4096)))
    assert found == [(1, b"a"), (2, b""), (3, None), (4, b"b")]


@pytest.mark.parametrize(
    ("text", "minor"),
    [("1250.50", 125050), ("1250.5", 125050), ("0.01", 1), ("7", 700), (1250, 125000)],
)
def test_amounts_in_major_units(text, minor):
    assert major_units(text) == minor
    assert major_units(Decimal(str(text))) == minor


@pytest.mark.parametrize("bad", ["1,250.00", "12.505", "-5", "1e3", "", True, 1.5, Decimal("1E+3")])
def test_amounts_that_are_refused(bad):
    with pytest.raises(ValueError):
        major_units(bad)


async def test_csv_records_with_quotes_and_stray_quotes():
    text = csv_text([row(1, address='Flat 2,\n"Sea View"'), row(2), row(3)])
    text = text.replace("Customer 2", 'Customer 2 "the elder')  # a stray quote, unquoted field
    parsed = await collect(csv_rows(pieces(text.encode())))
    assert [p.line for p in parsed] == [2, 4, 5]
    assert parsed[0].values.address == 'Flat 2, "Sea View"'
    assert parsed[1].values.customer_name == 'Customer 2 "the elder'
    assert parsed[2].values is not None


async def test_csv_rows_with_the_wrong_shape_or_encoding():
    header = ",".join(COLUMNS)
    good = ",".join(row(1).get(c, "") for c in COLUMNS)
    body = f"{header}\n{good},extra\n".encode() + b"\xff\xfe,\n" + b'"never closed,\n'
    parsed = await collect(csv_rows(pieces(body)))
    reasons = [(p.line, p.problems[0].reason) for p in parsed]
    assert reasons[0][0] == 2 and "expected" in reasons[0][1]
    assert reasons[1] == (3, "line is too long or not UTF-8 text")
    assert reasons[2][0] == 4 and "unterminated" in reasons[2][1]


async def test_csv_without_a_header_is_refused():
    with pytest.raises(InvalidFile):
        await collect(csv_rows(pieces(b"")))


async def test_json_lines_with_a_byte_order_mark():
    parsed = await collect(jsonl_rows(pieces(b'\xef\xbb\xbf{"external_ref": "X"}\n')))
    assert parsed[0].line == 1 and {p.field for p in parsed[0].problems} >= {"account_id"}
