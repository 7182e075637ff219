"""The only code that touches the officer_requests collection."""

from __future__ import annotations

from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import clock, db
from backend.core.ids import object_id
from backend.requests.errors import DuplicatePending, RequestAlreadyDecided
from backend.requests.models import OfficerRequest, RequestDecision, RequestStatus


async def get(request_id: str) -> OfficerRequest | None:
    oid = object_id(request_id)
    return None if oid is None else await OfficerRequest.get(oid)


async def insert(request: OfficerRequest, *, session: AsyncClientSession) -> OfficerRequest:
    """Store a new request; a second pending one of a one-at-a-time type is refused."""
    exists = DuplicatePending(
        f"A {request.type} request is already pending on case {request.case_id}",
        type=request.type.value,
    )
    return await db.insert_new(request, exists=exists, session=session)


async def decide(
    request: OfficerRequest,
    status: RequestStatus,
    decision: RequestDecision,
    *,
    session: AsyncClientSession,
) -> OfficerRequest:
    """Record the decision if the request is still pending (a request is decided once)."""
    now = clock.now()
    fields = {
        "status": status.value,
        "decision": decision.model_dump(mode="python"),
        "pending_key": None,
        "updated_at": now,
    }
    result = await OfficerRequest.get_pymongo_collection().update_one(
        {"_id": request.id, "status": RequestStatus.PENDING.value},
        {"$set": fields, "$inc": {"version": 1}},
        session=session,
    )
    if result.matched_count == 0:
        raise RequestAlreadyDecided(f"Request {request.id} was already decided")
    request.status, request.decision, request.pending_key = status, decision, None
    request.updated_at, request.version = now, request.version + 1
    return request


async def page(
    filters: dict[str, Any], *, after: ObjectId | None, limit: int
) -> list[OfficerRequest]:
    """Newest first, after the cursor's id."""
    if after is not None:
        filters = {**filters, "_id": {"$lt": after}}
    return await OfficerRequest.find(filters).sort("-_id").limit(limit).to_list()


async def pending_after(after: ObjectId | None, *, limit: int) -> list[OfficerRequest]:
    """Pending requests in id order, after `after`, for system sweeps."""
    filters: dict[str, Any] = {"status": RequestStatus.PENDING.value}
    if after is not None:
        filters["_id"] = {"$gt": after}
    return await OfficerRequest.find(filters).sort("_id").limit(limit).to_list()


async def pending_of_cases(case_ids: list[str]) -> list[OfficerRequest]:
    """Pending requests of `case_ids`, oldest first, one indexed lookup per case."""
    match = {"status": RequestStatus.PENDING.value}
    rows = await db.find_by_keys(OfficerRequest, "case_id", case_ids, match=match, sort={"_id": 1})
    return [OfficerRequest.model_validate(row) for row in rows]
