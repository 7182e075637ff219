"""The only code that touches the responses and response_mailboxes collections."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import pii
from backend.core.ids import object_id
from backend.responses.models import MailboxState, Response


async def by_source(source_key: str) -> Response | None:
    return await Response.find_one({"source_key": source_key})


async def insert(response: Response, *, session: AsyncClientSession) -> None:
    """Raises DuplicateKeyError when a response with the same source key is stored."""
    await response.insert(session=session)


async def get(response_id: str) -> Response | None:
    key = object_id(response_id)
    return await Response.get(key) if key is not None else None


async def page(filters: dict[str, Any], *, after: ObjectId | None, limit: int) -> list[Response]:
    query = dict(filters)
    if after is not None:
        query["_id"] = {"$lt": after}
    return await Response.find(query).sort("-_id").limit(limit).to_list()


async def mailbox(key: str) -> MailboxState | None:
    return await MailboxState.get(key)


async def save_mailbox(state: MailboxState) -> None:
    await state.save()


async def reseal() -> pii.Resealed:
    """Seal every reply's sender under the current key."""
    return await pii.reseal_collection(Response)


async def minimise_customer(customer_id: str, *, session: AsyncClientSession) -> int:
    """Replace the sender, address and words of the customer's replies (intent stays)."""
    result = await Response.get_pymongo_collection().update_many(
        {"customer_id": customer_id, "text": {"$ne": ""}},
        {"$set": {"sender": "minimised", "to": None, "subject": None, "text": ""}},
        session=session,
    )
    return result.modified_count
