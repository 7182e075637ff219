"""Cursor pagination shared by every list route."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

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
        raise ValidationFailed(
            "cursor is not one this API issued",
            errors=[
                {
                    "in": "query",
                    "field": "cursor",
                    "reason": "invalid cursor",
                    "type": "cursor_invalid",
                }
            ],
        ) from exc
