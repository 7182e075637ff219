"""What a pull returns for each entity: cases, as the case detail route shows them."""

from __future__ import annotations

from typing import Any

from bson import ObjectId

from backend.cases import service as cases
from backend.cases.phases import OPEN_VALUES
from backend.cases.queries import detail_of
from backend.users.models import User
from sync.registry import Registry


async def load_cases(caller: User, ids: list[str]) -> dict[str, tuple[int | None, dict[str, Any]]]:
    """The cases among `ids` the caller may see now, with their version and detail."""
    found = await cases.within_reach(actor=caller, case_ids=ids)
    return {str(c.id): (c.version, detail_of(c).model_dump(mode="json")) for c in found}


async def snapshot_cases(
    caller: User, after: str | None, limit: int
) -> list[tuple[str, int | None, dict[str, Any]]]:
    """One page of the caller's open cases in id order: the initial sync."""
    filters: dict[str, Any] = {"phase": {"$in": OPEN_VALUES}}
    if after is not None and ObjectId.is_valid(after):
        filters["_id"] = {"$gt": ObjectId(after)}
    page = await cases.list_in_reach(actor=caller, filters=filters, sort=[("_id", 1)], limit=limit)
    return [(str(c.id), c.version, detail_of(c).model_dump(mode="json")) for c in page]


def register(registry: Registry) -> None:
    registry.entity("case", load=load_cases, snapshot=snapshot_cases)
