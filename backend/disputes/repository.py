"""The only code that touches the disputes collection."""

from __future__ import annotations

from typing import Any

from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core.ids import object_id
from backend.disputes.models import BillingDispute


async def insert(dispute: BillingDispute, *, session: AsyncClientSession) -> BillingDispute:
    return await dispute.insert(session=session)


async def get(
    dispute_id: str, *, session: AsyncClientSession | None = None
) -> BillingDispute | None:
    key = object_id(dispute_id)
    return await BillingDispute.get(key, session=session) if key is not None else None


async def update(
    dispute: BillingDispute, fields: dict[str, Any], *, session: AsyncClientSession
) -> bool:
    """`$set` fields if the dispute is still at the version it was read at."""
    change = Encoder().encode({**fields, "version": dispute.version + 1})
    result = await BillingDispute.get_pymongo_collection().update_one(
        {"_id": dispute.id, "version": dispute.version}, {"$set": change}, session=session
    )
    return result.matched_count == 1


async def page(
    filters: dict[str, Any], *, before: ObjectId | None, limit: int
) -> list[BillingDispute]:
    """Disputes newest first: a keyset page of ids below `before`."""
    query = dict(filters)
    if before is not None:
        query["_id"] = {"$lt": before}
    return await BillingDispute.find(query).sort("-_id").limit(limit).to_list()


async def of_receipt(receipt_id: str) -> BillingDispute | None:
    return await BillingDispute.find_one({"receipt_id": receipt_id})
