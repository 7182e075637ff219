"""Firestore write protobufs built directly from plain values.

The client library's `batch.update/create/delete` go through proto-plus wrappers for
every nested value, which costs more than the commit itself for the mirror's large case
documents (measured: 0.53 s to stage 221 updates, against a 0.05 s commit). These build
the same `Write` messages on the raw protobuf classes.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from google.cloud.firestore_v1.types import common, document, write

_Value = document.Value.pb()
_Document = document.Document.pb()
_Write = write.Write.pb()
_Precondition = common.Precondition.pb()
_Mask = common.DocumentMask.pb()


def _fill(target: Any, plain: Any) -> None:
    """Set the empty Value `target` to a JSON-like value (dicts, lists, str, int, float,
    bool, None, aware datetimes), nested values built in place."""
    if plain is None:
        target.null_value = 0
    elif isinstance(plain, bool):
        target.boolean_value = plain
    elif isinstance(plain, int):
        target.integer_value = plain
    elif isinstance(plain, str):
        target.string_value = plain
    elif isinstance(plain, dict):
        _fill_map(target.map_value, plain)
    elif isinstance(plain, list | tuple):
        values = target.array_value.values
        target.array_value.SetInParent()  # an empty array is still an array
        for item in plain:
            _fill(values.add(), item)
    elif isinstance(plain, datetime):
        target.timestamp_value.FromDatetime(plain)
    elif isinstance(plain, float):
        target.double_value = plain
    else:
        raise TypeError(f"cannot store {type(plain).__name__} in Firestore")


def _fill_map(target: Any, plain: dict[str, Any]) -> None:
    target.SetInParent()  # an empty map is still a map
    fields = target.fields
    for key, item in plain.items():
        _fill(fields[key], item)


def _precondition(update_time: Any | None) -> Any:
    if update_time is None:
        return _Precondition(exists=False)
    return _Precondition(update_time=update_time.timestamp_pb())


def _document(path: str, data: dict[str, Any]) -> Any:
    stored = _Document(name=path)
    for key, item in data.items():
        _fill(stored.fields[key], item)
    return stored


def replace(path: str, data: dict[str, Any], *, update_time: Any | None) -> write.Write:
    """Write the whole document at `path`: it must not exist (`update_time` None) or
    must still be as last read (its update time)."""
    pb = _Write(update=_document(path, data), current_document=_precondition(update_time))
    return write.Write.wrap(pb)


def update(path: str, data: dict[str, Any], *, update_time: Any) -> write.Write:
    """Set the top-level fields in `data` of the stored document at `path`, leaving the
    others as they are, if it is still as last read (its update time)."""
    pb = _Write(
        update=_document(path, data),
        update_mask=_Mask(field_paths=list(data)),
        current_document=_precondition(update_time),
    )
    return write.Write.wrap(pb)


def delete(path: str, *, update_time: Any) -> write.Write:
    """Delete the document at `path` if it is still as last read."""
    return write.Write.wrap(_Write(delete=path, current_document=_precondition(update_time)))
