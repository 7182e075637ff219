"""The only code that touches the segment collections."""

from __future__ import annotations

from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.segments.models import Segment, SegmentAssignment, SegmentOverride


async def all_segments(*, session: AsyncClientSession | None = None) -> list[Segment]:
    return await Segment.find({}, session=session).sort("+priority", "+_id").to_list()


async def get(segment_id: str, *, session: AsyncClientSession | None = None) -> Segment | None:
    return await Segment.get(segment_id, session=session)


async def insert(segment: Segment, *, session: AsyncClientSession) -> Segment:
    await segment.insert(session=session)
    return segment


async def replace(segment: Segment, *, session: AsyncClientSession) -> Segment:
    await Segment.get_pymongo_collection().replace_one(
        {"_id": segment.id}, segment.model_dump(by_alias=True, mode="python"), session=session
    )
    return segment


async def delete(segment_id: str, *, session: AsyncClientSession) -> None:
    await Segment.get_pymongo_collection().delete_one({"_id": segment_id}, session=session)


async def set_priorities(order: dict[str, int], *, session: AsyncClientSession) -> None:
    writes = [UpdateOne({"_id": k}, {"$set": {"priority": v}}) for k, v in order.items()]
    await Segment.get_pymongo_collection().bulk_write(writes, session=session)


async def override(account_id: str, *, session: AsyncClientSession | None = None):
    return await SegmentOverride.get(account_id, session=session)


async def save_override(found: SegmentOverride, *, session: AsyncClientSession) -> None:
    await SegmentOverride.get_pymongo_collection().replace_one(
        {"_id": found.id},
        found.model_dump(by_alias=True, mode="python"),
        upsert=True,
        session=session,
    )


async def delete_override(account_id: str, *, session: AsyncClientSession) -> bool:
    done = await SegmentOverride.get_pymongo_collection().delete_one(
        {"_id": account_id}, session=session
    )
    return done.deleted_count > 0


async def save_assignment(found: SegmentAssignment, *, session: AsyncClientSession | None) -> None:
    document: dict[str, Any] = found.model_dump(by_alias=True, mode="python")
    await SegmentAssignment.get_pymongo_collection().replace_one(
        {"_id": found.id}, document, upsert=True, session=session
    )


async def assignment(account_id: str) -> SegmentAssignment | None:
    return await SegmentAssignment.get(account_id)
