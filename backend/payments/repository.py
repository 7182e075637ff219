"""The only code that touches the payments collection."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import db, figures
from backend.core.ids import object_id
from backend.core.money import Money
from backend.payments.errors import DuplicateReference, PaymentChanged
from backend.payments.models import Payment, PaymentChannel, PaymentStatus


async def reference_taken(
    channel: PaymentChannel, reference: str, *, session: AsyncClientSession
) -> bool:
    found = await Payment.get_pymongo_collection().find_one(
        {"channel": channel.value, "reference": reference}, {"_id": 1}, session=session
    )
    return found is not None


async def by_reference(
    channel: PaymentChannel, reference: str, *, session: AsyncClientSession | None = None
) -> Payment | None:
    return await Payment.find_one(
        {"channel": channel.value, "reference": reference}, session=session
    )


async def insert(payment: Payment, *, session: AsyncClientSession) -> Payment:
    """Insert a payment; its channel and reference must be new."""
    return await db.insert_new(
        payment,
        exists=DuplicateReference(
            f"{payment.channel.value} reference {payment.reference} is already recorded"
        ),
        session=session,
    )


async def get(payment_id: str, *, session: AsyncClientSession | None = None) -> Payment | None:
    oid = object_id(payment_id)
    return None if oid is None else await Payment.get(oid, session=session)


async def of_case(case_id: str, *, before: ObjectId | None, limit: int) -> list[Payment]:
    """A case's payments, most recently recorded first."""
    query: dict[str, Any] = {"case_id": case_id}
    if before is not None:
        query["_id"] = {"$lt": before}
    return await Payment.find(query).sort("-_id").limit(limit).to_list()


async def save(payment: Payment, fields: dict[str, Any], *, session: AsyncClientSession) -> Payment:
    """Write `fields` if the payment is still at the version it was read at."""
    changed = PaymentChanged(f"Payment {payment.id} changed; retry")
    return await db.update_versioned(payment, fields, changed=changed, session=session)


def _applied_since(match: dict[str, Any], since: datetime | None, until: datetime | None) -> dict:
    """Payments standing (not reversed) in `match`, paid within [since, until)."""
    paid: dict[str, datetime] = {}
    if since is not None:
        paid["$gte"] = since
    if until is not None:
        paid["$lt"] = until
    query: dict[str, Any] = {**match, "status": PaymentStatus.APPLIED.value}
    if paid:
        query["paid_at"] = paid
    return query


async def applied_by(
    key: dict[str, Any] | str,
    match: dict[str, Any],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> dict[str, int]:
    """The applied minor units of standing payments, summed per `key` (a field's `$path`
    or an expression) on the database."""
    pipeline: list[dict[str, Any]] = [
        {"$match": _applied_since(match, since, until)},
        {"$group": {"_id": key, "n": {"$sum": "$applied.amount"}}},
    ]
    return await figures.totals(await Payment.get_pymongo_collection().aggregate(pipeline))


async def applied_groups(
    key: dict[str, Any], match: dict[str, Any], *, since: datetime, until: datetime
) -> list[dict[str, Any]]:
    """Standing payments paid in [since, until) per `key` (a document of expressions):
    how many, and their applied minor units."""
    pipeline: list[dict[str, Any]] = [
        {"$match": _applied_since(match, since, until)},
        {"$group": {"_id": key, "payments": {"$sum": 1}, "amount": {"$sum": "$applied.amount"}}},
    ]
    return await (await Payment.get_pymongo_collection().aggregate(pipeline)).to_list()


async def count_of_cases(case_ids: list[str]) -> int:
    return await Payment.find({"case_id": {"$in": case_ids}, "status": "applied"}).count()


async def recent_amounts(case_ids: list[str], *, limit: int) -> list[Money]:
    """What the latest payments (not reversed) on these cases were, newest paid first."""
    cursor = (
        Payment.get_pymongo_collection()
        .find({"case_id": {"$in": case_ids}, "status": "applied"}, {"amount": 1})
        .sort([("paid_at", -1)])
        .limit(limit)
    )
    return [Money.model_validate(row["amount"]) async for row in cursor]
