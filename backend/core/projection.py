"""The base of every document the mirror writes to Firestore for the app.

Each domain's `projections.py` builds its part of those documents from these models;
their JSON Schemas are published in mobile_contract/firestore/. `firestore()` gives the
dict to store: JSON values (enums as strings, days as "YYYY-MM-DD", Money as minor
units), except that date-times stay aware `datetime`s so Firestore stores them as
timestamps.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel, ConfigDict

_PLAIN = frozenset({str, int, float, bool, type(None)})


def _stored(value: Any) -> Any:
    """A model dump as Firestore stores it: JSON values, date-times as timestamps."""
    kind = type(value)
    if kind in _PLAIN:  # most of a document: checked first, by exact type
        return value
    if kind is dict:
        return {_stored(k): _stored(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [_stored(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    if isinstance(value, date):
        return value.isoformat()
    return value


class MirrorModel(BaseModel):
    # Every field is always written, defaults included, so the schema requires them all.
    model_config = ConfigDict(extra="forbid", json_schema_serialization_defaults_required=True)

    def firestore(self, *, include: set[str] | None = None) -> dict[str, Any]:
        """The Firestore document (or the fields in `include`): JSON values, except
        date-times stay `datetime`."""
        stored: dict[str, Any] = _stored(self.model_dump(mode="python", include=include))
        return stored
