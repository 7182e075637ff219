"""Ids that callers send as text: an ObjectId, or nothing when the text is not one.

A malformed id names no document, so it reads as "not found", never as an error.
"""

from __future__ import annotations

from collections.abc import Iterable

from bson import ObjectId


def object_id(value: str) -> ObjectId | None:
    """`value` as an ObjectId, or None when it cannot be one."""
    return ObjectId(value) if ObjectId.is_valid(value) else None


def object_ids(values: Iterable[str]) -> list[ObjectId]:
    """The ObjectIds among `values`, in their order; the others are dropped."""
    return [ObjectId(value) for value in values if ObjectId.is_valid(value)]
