"""What DebtX's Beanie documents share beyond Beanie's own `Document`."""

from __future__ import annotations

from typing import Any

from beanie import Document


class KeyedDocument(Document):
    """A document whose `_id` is a key of its own (a uid, a code, a name), not an ObjectId.

    Beanie types `Document.id` as an optional ObjectId, which no `str` or `int` may
    narrow; declared `Any` here, each subclass states its own: `id: str`.
    """

    id: Any = None
