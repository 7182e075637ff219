"""Cursor pagination shared by every list route."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Generic, TypeVar

from bson import ObjectId
from bson.errors import InvalidId
from fastapi import Query
from pydantic import BaseModel

from backend.core.errors import ValidationFailed

Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Cursor = Annotated[
    str | None,
    Query(pattern=r"^[A-Za-z0-9_.:-]{1,128}$", description="Opaque cursor from the previous page"),
]
ObjectIdCursor = Annotated[
    str | None, Query(pattern=r"^[0-9a-f]{24}$", description="Opaque cursor from the previous page")
]


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    items: list[T]
    next_cursor: str | None = None


def object_id_cursor(cursor: str | None) -> ObjectId | None:
    """Decode a cursor that is an ObjectId; a bad one is a 422, not a 500."""
    if cursor is None:
        return None
    try:
        return ObjectId(cursor)
    except (InvalidId, TypeError) as exc:
        raise _bad_cursor() from exc


def encode_keyset(*values: Any) -> str:
    """An opaque cursor holding the sort key and id of the last item of a page."""
    raw = json.dumps(values, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def decode_keyset(cursor: str | None, size: int) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise _bad_cursor() from exc
    if not isinstance(values, list) or len(values) != size:
        raise _bad_cursor()
    return values


class InvalidCursor(ValidationFailed):
    """The cursor is well-formed but not one this API issued for this list."""

    code = "request.invalid_cursor"
    title = "Invalid cursor"


def _bad_cursor() -> ValidationFailed:
    return InvalidCursor(
        "cursor is not one this API issued",
        errors=[
            {"in": "query", "field": "cursor", "reason": "invalid cursor", "type": "cursor_invalid"}
        ],
    )
