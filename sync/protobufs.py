"""Firestore reads and writes on raw protobufs, for the mirror's batches.

The client library's `batch.update/create/delete` go through proto-plus wrappers for
every nested value, which costs more than the commit itself for the mirror's large case
documents (measured: 0.53 s to stage 221 updates, against a 0.05 s commit), and its
`get_all` wraps every result in a snapshot. These build the same `Write` messages on the
raw protobuf classes and read a batch's versions from the raw responses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.cloud.firestore import AsyncClient
from google.cloud.firestore_v1.types import common, document, firestore, write
from google.protobuf.timestamp_pb2 import Timestamp

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


def name(client: AsyncClient, path: str) -> str:
    """The resource name of the document at `path` ("ro/u1/cases/c1")."""
    return f"{client._database_string}/documents/{path}"


@dataclass(frozen=True)
class Stored:
    """A stored document as a version read sees it."""

    update_time: Timestamp  # the precondition for writing over it
    version: int | None  # its `version` field, if it has one


async def versions(client: AsyncClient, names: list[str], *, seconds: float) -> dict[str, Stored]:
    """The documents among `names` that exist, by name: one BatchGetDocuments of their
    `version` fields, given up after `seconds`, without the client's retries."""
    request = {
        "database": client._database_string,
        "documents": names,
        "mask": {"field_paths": ["version"]},
    }
    responses = await client._firestore_api.batch_get_documents(
        request=request, metadata=client._rpc_metadata, retry=None, timeout=seconds
    )
    found = {}
    async for response in responses:
        raw = firestore.BatchGetDocumentsResponse.pb(response)
        if raw.WhichOneof("result") == "found":
            fields = raw.found.fields
            version = fields["version"].integer_value if "version" in fields else None
            found[raw.found.name] = Stored(raw.found.update_time, version)
    return found


def update_time(result: write.WriteResult) -> Timestamp:
    """A committed write's update time: the precondition for the next write over it."""
    return write.WriteResult.pb(result).update_time


def _precondition(update_time: Timestamp | None) -> Any:
    if update_time is None:
        return _Precondition(exists=False)
    return _Precondition(update_time=update_time)


def _document(path: str, data: dict[str, Any]) -> Any:
    stored = _Document(name=path)
    for key, item in data.items():
        _fill(stored.fields[key], item)
    return stored


def replace(path: str, data: dict[str, Any], *, update_time: Timestamp | None) -> write.Write:
    """Write the whole document at `path`: it must not exist (`update_time` None) or
    must still be as last read (its update time)."""
    pb = _Write(update=_document(path, data), current_document=_precondition(update_time))
    return _wrapped(pb)


def update(path: str, data: dict[str, Any], *, update_time: Timestamp) -> write.Write:
    """Set the top-level fields in `data` of the stored document at `path`, leaving the
    others as they are, if it is still as last read (its update time)."""
    pb = _Write(
        update=_document(path, data),
        update_mask=_Mask(field_paths=list(data)),
        current_document=_precondition(update_time),
    )
    return _wrapped(pb)


def delete(path: str, *, update_time: Timestamp) -> write.Write:
    """Delete the document at `path` if it is still as last read."""
    return _wrapped(_Write(delete=path, current_document=_precondition(update_time)))


def _wrapped(pb: Any) -> write.Write:
    wrapped: write.Write = write.Write.wrap(pb)
    return wrapped
