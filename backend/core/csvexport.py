"""CSV files for download, safe to open in a spreadsheet.

A text cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which
some spreadsheets skip before reading a formula) is written with a leading `'`, so it
shows as text and never runs as a formula. Numbers are written as they are: a negative
amount is a number, not a formula. Every CSV the project offers goes through here.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from urllib.parse import quote

from starlette.responses import Response

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MEDIA_TYPE = "text/csv; charset=utf-8"

Cell = str | int | Decimal | None


def safe_cell(value: Cell) -> str:
    """The cell as text; one a spreadsheet would read as a formula gets a leading `'`."""
    if value is None:
        return ""
    if isinstance(value, int | Decimal):
        return str(value)
    return f"'{value}" if value.startswith(FORMULA_STARTS) else value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> str:
    """A header line and the rows, every cell neutralised, lines ended with CRLF."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(name) for name in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> Response:
    """A download of the rows as `filename` (UTF-8 with a byte-order mark, for Excel)."""
    body = csv_text(header, rows).encode("utf-8-sig")
    disposition = f"attachment; filename*=UTF-8''{quote(filename)}"
    return Response(body, media_type=MEDIA_TYPE, headers={"content-disposition": disposition})
