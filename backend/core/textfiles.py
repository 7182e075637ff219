"""Text files read as records from a stream of bytes: lines (each at most
MAX_LINE_BYTES), CSV records (a quoted field may span up to MAX_RECORD_LINES lines) and
JSON Lines objects. UTF-8, a byte-order mark allowed on the first line."""

from __future__ import annotations

import csv
import json
from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

MAX_LINE_BYTES = 64 * 1024
MAX_RECORD_LINES = 20


async def lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, bytes | None]]:
    """Each line (no newline) with its number; None for a line over MAX_LINE_BYTES."""
    number, tail, skipping = 0, b"", False
    async for chunk in chunks:
        parts = (tail + chunk).split(b"\n")
        tail = parts.pop()
        for part in parts:
            number += 1
            yield number, None if skipping or len(part) > MAX_LINE_BYTES else part
            skipping = False
        if len(tail) > MAX_LINE_BYTES:
            skipping, tail = True, b""
    if tail or skipping:
        yield number + 1, None if skipping else tail


def _text(raw: bytes, number: int) -> str:
    text = raw.decode("utf-8").removesuffix("\r")
    return text.removeprefix("\ufeff") if number == 1 else text


def _inside_quotes(text: str, inside: bool) -> bool:
    """Whether a CSV record is still inside a quoted field at the end of this line."""
    if '"' not in text:
        return inside
    at_start, i = not inside, 0
    while i < len(text):
        ch = text[i]
        if inside:
            if ch == '"' and text[i + 1 : i + 2] == '"':
                i += 1
            elif ch == '"':
                inside = False
        elif ch == '"' and at_start:
            inside = True
        at_start = ch == "," and not inside
        i += 1
    return inside


async def csv_records(
    chunks: AsyncIterator[bytes],
) -> AsyncIterator[tuple[int, list[str] | None, str | None]]:
    """(first line, fields, None) per record, or (line, None, reason) when unreadable."""
    pending: list[str] = []
    start, inside = 0, False
    async for number, raw in lines(chunks):
        text = None
        if raw is not None:
            try:
                text = _text(raw, number)
            except UnicodeDecodeError:
                text = None
        if text is None:
            if pending:
                yield start, None, "unterminated quoted field"
                pending, inside = [], False
            yield number, None, "line is too long or not UTF-8 text"
            continue
        start = start if pending else number
        pending.append(text)
        inside = _inside_quotes(text, inside)
        if inside and len(pending) < MAX_RECORD_LINES:
            continue
        record, pending = "\n".join(pending), []
        if inside:
            inside = False
            yield start, None, "unterminated quoted field"
        elif record.strip():
            try:
                yield start, next(csv.reader([record], strict=True)), None
            except csv.Error as exc:
                yield start, None, f"not valid CSV: {exc}"
    if pending:
        yield start, None, "unterminated quoted field at the end of the file"


def json_object(text: str) -> dict[str, Any] | str:
    try:
        value = json.loads(text, parse_float=Decimal)
    except ValueError:
        return "not valid JSON"
    if not isinstance(value, dict):
        return "each line must be a JSON object"
    return {
        k: v.strip() if isinstance(v, str) else v
        for k, v in value.items()
        if v is not None and v != ""
    }


async def jsonl_lines(chunks: AsyncIterator[bytes]) -> AsyncIterator[tuple[int, str | None]]:
    """Each line that is not blank, with its number; None for one that cannot be read."""
    async for number, raw in lines(chunks):
        try:
            text = _text(raw, number) if raw is not None else None
        except UnicodeDecodeError:
            text = None
        if text is None or text.strip():
            yield number, text
