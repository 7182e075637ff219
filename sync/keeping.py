"""What the engine keeps of officers' work besides its effect (a refused mutation's
arguments, both values of a conflict) is stored as the application says: as it is, or
sealed whole, when the application installs a sealer (DebtX does: those values may be a
customer's phone number or address).

A sealed value is stored as `{"sealed_json": <the sealer's text>}` and opened when the
document is read; values stored before a sealer was installed read as they are.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Protocol

from beanie.odm.utils.encoder import Encoder
from pydantic import BaseModel

SEALED = "sealed_json"


class Sealer(Protocol):
    def seal(self, text: str) -> str: ...
    def reveal(self, text: str) -> str: ...


_sealer: Sealer | None = None


def install(sealer: Sealer | None) -> None:
    """Seal what the engine keeps from now on (None: store it as it is)."""
    global _sealer
    _sealer = sealer


def keep(value: Any) -> Any:
    """`value` as stored: sealed whole, as JSON text, when a sealer is installed."""
    if _sealer is None or value is None:
        return value
    return {SEALED: _sealer.seal(json.dumps(value, ensure_ascii=False, default=str))}


def opened(value: Any) -> Any:
    """A stored value as it was kept."""
    if not (isinstance(value, dict) and len(value) == 1 and SEALED in value):
        return value
    if _sealer is None:
        raise RuntimeError("A sealed sync payload, and no sealer installed to open it")
    return json.loads(_sealer.reveal(value[SEALED]))


class Kept(dict[str, Any]):
    """Arguments in memory, marked for the encoder to seal."""


def keeping_fields(model: BaseModel, names: Iterable[str]) -> dict[str, Any]:
    """`model` encoded for storage, with the named fields kept (sealed)."""
    stored = Encoder().encode(model)
    return {**stored, **{name: keep(getattr(model, name)) for name in names}}


def encode(value: Any, encoders: dict[type, Any]) -> Any:
    """`value` as stored, its kept parts sealed (`encoders`: the documents' bson_encoders)."""
    return Encoder(custom_encoders=encoders).encode(value)
