"""The equipment section of the officer's case document (Firestore)."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from backend.cases.models import Case
from backend.cases.sections import CaseSection, Section, case_ids
from backend.core.projection import MirrorModel
from backend.cpe import repository
from backend.cpe.models import CpeCollection, ItemStatus


class CpeItemPart(MirrorModel):
    serial: str
    model: str
    type: str
    status: ItemStatus = Field(description="The item's furthest recorded state")
    collected_at: AwareDatetime | None = None
    condition: str | None = None
    approved_at: AwareDatetime | None = None


async def _collections(found: list[Case]) -> dict[str, CpeCollection]:
    """The stored equipment records of the cases (those with any), in one query."""
    return {c.id: c for c in await repository.many(case_ids(found))}


def _cpe_items(case: Case, collections: dict[str, CpeCollection]) -> list[CpeItemPart]:
    """The case's items, each with its state from the equipment record when one exists."""
    collection = collections.get(str(case.id))
    items = []
    for listed in case.cpe_items:
        state = collection.item(listed.serial) if collection else None
        items.append(
            CpeItemPart(
                serial=listed.serial,
                model=listed.model,
                type=listed.type,
                status=state.status if state else ItemStatus.OPEN,
                collected_at=state.collected_at if state else None,
                condition=state.condition if state else None,
                approved_at=state.approved_at if state else None,
            )
        )
    return items


CPE_ITEMS = CaseSection(Section.CPE_ITEMS, list[CpeItemPart], load=_collections, build=_cpe_items)
