"""The only code that touches the billing collections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import Document
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.billing.models import (
    OPEN_STATUSES,
    AccountCredit,
    FeedBatch,
    Invoice,
    InvoiceCredit,
    PaymentMethod,
)
from backend.core import db
from backend.core.money import Money

_OPEN = [s.value for s in OPEN_STATUSES]


async def upsert_many(model: type[Document], items: list[db.Upsert]) -> list[str]:
    """BSS's records (distinct ids), each written unless DebtX holds a newer version."""
    return await db.upsert_many_if_newer(model.get_pymongo_collection(), items)


async def invoice(invoice_id: str, *, session: AsyncClientSession | None = None) -> Invoice | None:
    return await Invoice.get(invoice_id, session=session)


async def invoice_by_number(number: str) -> Invoice | None:
    return await Invoice.find_one({"number": number})


async def invoices_of(
    account_id: str, *, open_only: bool = False, session: AsyncClientSession | None = None
) -> list[Invoice]:
    """The account's invoices, oldest due first (open ones only if asked)."""
    query: dict[str, Any] = {"account_id": account_id}
    if open_only:
        query["status"] = {"$in": _OPEN}
    found = Invoice.find(query, session=session).sort("+due_date", "+_id")
    return await found.to_list()


async def credits_of_receipt(
    receipt_id: str, *, session: AsyncClientSession | None = None
) -> list[InvoiceCredit]:
    """What a receipt already credited, invoice by invoice."""
    found = await Invoice.find({"credits.receipt_id": receipt_id}, session=session).to_list()
    return [c for i in found for c in i.credits if c.receipt_id == receipt_id]


async def add_credit(
    invoice: Invoice, credit: InvoiceCredit, *, session: AsyncClientSession | None = None
) -> bool:
    """Book `credit` on the invoice if it is still open, still credited as read, and not
    yet credited by this receipt: one conditional write."""
    result = await Invoice.get_pymongo_collection().update_one(
        {
            "_id": invoice.id,
            "status": {"$in": _OPEN},
            "credited.amount": invoice.credited.amount,
            "credits.receipt_id": {"$ne": credit.receipt_id},
        },
        {
            "$inc": {"credited.amount": credit.amount.amount},
            "$push": {"credits": credit.model_dump(mode="python")},
        },
        session=session,
    )
    return result.modified_count == 1


async def leave_on_account(
    credit: AccountCredit, *, session: AsyncClientSession | None = None
) -> None:
    """Store a receipt's remainder once: an upsert that a second time finds the first (no
    duplicate-key error, which would abort the caller's transaction)."""
    stored = credit.model_dump(mode="python", by_alias=True, exclude={"revision_id", "id"})
    await AccountCredit.get_pymongo_collection().update_one(
        {"_id": credit.id}, {"$setOnInsert": stored}, upsert=True, session=session
    )


async def account_credits(account_id: str) -> list[AccountCredit]:
    return await AccountCredit.find({"account_id": account_id}).sort("created_at").to_list()


async def account_credit(receipt_id: str, *, session: AsyncClientSession | None = None):
    return await AccountCredit.get(receipt_id, session=session)


def _owed() -> dict[str, Any]:
    return {"$max": [{"$subtract": ["$amount.amount", "$credited.amount"]}, 0]}


def _is_open() -> dict[str, Any]:
    return {"$or": [{"$eq": ["$status", s]} for s in _OPEN]}


def _is_overdue(today: datetime) -> dict[str, Any]:
    late = {"$or": [{"$eq": ["$status", "overdue"]}, {"$lt": ["$due_date", today]}]}
    return {"$and": [_is_open(), late, {"$gt": [_owed(), 0]}]}


def _balance_group(today: datetime) -> dict[str, Any]:
    unpaid = {"$and": [_is_open(), {"$gt": [_owed(), 0]}]}
    return {
        "_id": {"account": "$account_id", "currency": "$amount.currency"},
        "invoices": {"$sum": 1},
        "owed": {"$sum": {"$cond": [_is_open(), _owed(), 0]}},
        "arrears": {"$sum": {"$cond": [_is_overdue(today), _owed(), 0]}},
        "unpaid": {"$sum": {"$cond": [unpaid, 1, 0]}},
        "oldest_overdue": {"$min": {"$cond": [_is_overdue(today), "$due_date", None]}},
    }


async def balance_rows(account_ids: list[str], *, today: datetime) -> list[dict[str, Any]]:
    """Per account and currency: invoices held, owed, overdue part, unpaid invoices and the
    oldest overdue due date; one aggregation joined from the ids (see `db.find_by_keys`)."""
    unique = list(dict.fromkeys(account_ids))
    if not unique:
        return []
    collection = Invoice.get_pymongo_collection()
    join = {"from": collection.name, "localField": "key", "foreignField": "account_id", "as": "i"}
    pipeline: list[dict[str, Any]] = [
        {"$documents": [{"key": key} for key in unique]},
        {"$lookup": join},
        {"$unwind": "$i"},
        {"$replaceRoot": {"newRoot": "$i"}},
        {"$group": _balance_group(today)},
    ]
    return await (await collection.database.aggregate(pipeline)).to_list()


async def accounts_with_open_invoice(amount: Money, *, start: datetime, end: datetime) -> set[str]:
    """Accounts with an open invoice of exactly `amount` due from `start` to `end`."""
    query = {
        "due_date": {"$gte": start, "$lte": end},
        "amount.amount": amount.amount,
        "amount.currency": amount.currency,
        "status": {"$in": _OPEN},
    }
    cursor = Invoice.get_pymongo_collection().find(query, {"account_id": 1})
    return {row["account_id"] async for row in cursor}


async def payment_methods_of(account_id: str) -> list[PaymentMethod]:
    return await PaymentMethod.find({"account_id": account_id}).sort("_id").to_list()


async def save_feed(batch: FeedBatch) -> FeedBatch:
    return await batch.save()


async def feed(batch_id: Any) -> FeedBatch | None:
    return await FeedBatch.get(batch_id)


async def feeds(*, before: Any, limit: int) -> list[FeedBatch]:
    query: dict[str, Any] = {"_id": {"$lt": before}} if before is not None else {}
    return await FeedBatch.find(query).sort("-_id").limit(limit).to_list()
