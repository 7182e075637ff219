"""The only code that touches the STK request and callback collections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import db, pii
from backend.core.errors import Conflict
from backend.mpesa.models import StkCallback, StkRequest, StkStatus

SWEEP_LIMIT = 200


async def insert(request: StkRequest, *, session: AsyncClientSession | None = None) -> StkRequest:
    return await db.insert_new(
        request, exists=Conflict(f"STK request {request.id} exists"), session=session
    )


async def get(request_id: str) -> StkRequest | None:
    return await StkRequest.get(request_id)


async def by_checkout(checkout_request_id: str) -> StkRequest | None:
    return await StkRequest.find_one({"checkout_request_id": checkout_request_id})


async def of_case(case_id: str, *, limit: int = 50) -> list[StkRequest]:
    found = StkRequest.find({"case_id": case_id}).sort("-created_at").limit(limit)
    return await found.to_list()


async def recent_of_cases(case_ids: list[str], *, since: datetime) -> list[StkRequest]:
    """STK requests of `case_ids` made since `since`, newest first, one lookup per case."""
    match = {"created_at": {"$gte": since}}
    rows = await db.find_by_keys(
        StkRequest, "case_id", case_ids, match=match, sort={"created_at": -1}
    )
    return [StkRequest.model_validate(row) for row in rows]


async def update_if(request_id: str, match: dict[str, Any], fields: dict[str, Any]) -> bool:
    """Set `fields` only while the stored request still matches `match`; True if it did."""
    result = await StkRequest.get_pymongo_collection().update_one(
        {"_id": request_id, **match}, {"$set": pii.encode(fields)}
    )
    return result.modified_count == 1


async def claim(request_id: str, token: str, *, now: datetime, stale_before: datetime) -> bool:
    """Take a queued request for sending; one another process holds (not stale) is not."""
    return await update_if(
        request_id,
        {
            "status": StkStatus.QUEUED.value,
            "$or": [{"claim": None}, {"claimed_at": {"$lt": stale_before}}],
        },
        {"claim": token, "claimed_at": now},
    )


async def close(request_id: str, *, open_in: set[StkStatus], fields: dict[str, Any]) -> bool:
    """Close a request still in one of the `open_in` states; False if something else did."""
    return await update_if(request_id, {"status": {"$in": [s.value for s in open_in]}}, fields)


async def set_fields(request_id: str, fields: dict[str, Any]) -> None:
    await db.set_fields(StkRequest, request_id, pii.encode(fields))


async def ids_where(query: dict[str, Any]) -> list[str]:
    found = StkRequest.find(query).sort("+created_at").limit(SWEEP_LIMIT)
    return [str(r.id) for r in await found.to_list()]


async def queued_before(moment: datetime) -> list[str]:
    return await ids_where({"status": StkStatus.QUEUED.value, "created_at": {"$lt": moment}})


async def pending_since_before(moment: datetime) -> list[str]:
    return await ids_where({"status": StkStatus.PENDING.value, "sent_at": {"$lt": moment}})


async def unbooked_before(moment: datetime) -> list[str]:
    """Paid requests receipts has not booked yet (the process stopped in between)."""
    return await ids_where(
        {"status": StkStatus.PAID.value, "receipt_id": None, "closed_at": {"$lt": moment}}
    )


async def keep_callback(callback: StkCallback) -> StkCallback:
    return await callback.insert()


async def waiting_callbacks(checkout_request_id: str) -> list[StkCallback]:
    found = StkCallback.find({"checkout_request_id": checkout_request_id, "applied": False})
    return await found.sort("+received_at").to_list()


async def callback_applied(callback: StkCallback) -> None:
    await db.set_fields(StkCallback, callback.id, {"applied": True})
