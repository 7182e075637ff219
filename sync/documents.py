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
from google.protobuf.timestamp_pb2 import Timestamp

_Value = document.Value.pb()
_Document = document.Document.pb()
_Write = write.Write.pb()
_Precondition = common.Precondition.pb()
_Mask = common.DocumentMask.pb()


def value(plain: Any) -> Any:
    """A Firestore Value for a JSON-like value (dicts, lists, str, int, float, bool,
    None, aware datetimes)."""
    if plain is None:
        return _Value(null_value=0)
    if isinstance(plain, bool):
        return _Value(boolean_value=plain)
    if isinstance(plain, int):
        return _Value(integer_value=plain)
    if isinstance(plain, float):
        return _Value(double_value=plain)
    if isinstance(plain, str):
        return _Value(string_value=plain)
    if isinstance(plain, datetime):
        stamp = Timestamp()
        stamp.FromDatetime(plain)
        return _Value(timestamp_value=stamp)
    if isinstance(plain, dict):
        encoded = _Value()
        fields = encoded.map_value.fields
        for key, item in plain.items():
            fields[key].CopyFrom(value(item))
        return encoded
    if isinstance(plain, list | tuple):
        encoded = _Value()
        encoded.array_value.values.extend(value(item) for item in plain)
        return encoded
    raise TypeError(f"cannot store {type(plain).__name__} in Firestore")


def _precondition(update_time: Any | None) -> Any:
    if update_time is None:
        return _Precondition(exists=False)
    return _Precondition(update_time=update_time.timestamp_pb())


def _document(path: str, data: dict[str, Any]) -> Any:
    fields = _Document(name=path)
    for key, item in data.items():
        fields.fields[key].CopyFrom(value(item))
    return fields


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
