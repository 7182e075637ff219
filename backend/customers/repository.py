"""The only code that touches the customers and accounts collections."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

from pymongo import ReplaceOne
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import db, pii
from backend.customers.errors import CustomerChanged
from backend.customers.models import Account, Contact, Customer, Dispute, stored_contacts


async def get(customer_id: str, *, session: AsyncClientSession | None = None) -> Customer | None:
    return await Customer.get(customer_id, session=session)


async def accounts_of(customer_id: str) -> list[Account]:
    return await Account.find({"customer_id": customer_id}).sort("_id").to_list()


async def customers_by_id(
    ids: list[str], *, session: AsyncClientSession | None = None
) -> dict[str, Customer]:
    found = await Customer.find({"_id": {"$in": ids}}, session=session).to_list()
    return {c.id: c for c in found}


async def accounts_by_id(
    ids: list[str], *, session: AsyncClientSession | None = None
) -> dict[str, Account]:
    found = await Account.find({"_id": {"$in": ids}}, session=session).to_list()
    return {a.id: a for a in found}


async def set_contacts(
    customer: Customer, contacts: list[Contact], *, session: AsyncClientSession
) -> None:
    """Store new contacts if the customer is still at the version it was read at."""
    changed = customer.model_copy(update={"contacts": contacts})
    changed.index_for_search()
    result = await Customer.get_pymongo_collection().update_one(
        {"_id": customer.id, "version": customer.version},
        {
            "$set": {
                "contacts": stored_contacts(contacts),
                "search_keys": changed.search_keys,
                "updated_at": customer.updated_at,
                "version": customer.version + 1,
            }
        },
        session=session,
    )
    if result.matched_count == 0:
        raise CustomerChanged(f"Customer {customer.id} changed; reload and retry")


async def set_dispute(
    customer: Customer, dispute: Dispute | None, *, session: AsyncClientSession
) -> None:
    """Open (or with None, close) the customer's dispute if still at the version read at."""
    result = await Customer.get_pymongo_collection().update_one(
        {"_id": customer.id, "version": customer.version},
        {
            "$set": {
                "dispute": dispute.model_dump(mode="python") if dispute else None,
                "updated_at": customer.updated_at,
                "version": customer.version + 1,
            }
        },
        session=session,
    )
    if result.matched_count == 0:
        raise CustomerChanged(f"Customer {customer.id} changed; reload and retry")


async def write(
    model: type[Customer] | type[Account],
    created: list[Any],
    changed: list[tuple[Any, int]],
    *,
    session: AsyncClientSession,
) -> None:
    """Insert new documents and replace changed ones still at the version they were read at."""
    collection = model.get_pymongo_collection()
    if created:
        await collection.insert_many([_document(d) for d in created], session=session)
    if not changed:
        return
    result = await collection.bulk_write(
        [ReplaceOne({"_id": d.id, "version": read_at}, _document(d)) for d, read_at in changed],
        session=session,
    )
    if result.matched_count != len(changed):
        raise CustomerChanged(f"{model.__name__} records changed concurrently; retry")


def _document(document: Customer | Account) -> dict[str, Any]:
    """The document as stored: a customer's personal values sealed, its search hashes."""
    if isinstance(document, Customer):
        return document.stored()
    return document.model_dump(mode="python", by_alias=True, exclude={"revision_id"})


async def many_customers(ids: list[str]) -> dict[str, Customer]:
    """Customers by id, one indexed lookup per id (batches of hundreds)."""
    rows = await db.find_by_keys(Customer, "_id", ids)
    return {row["_id"]: Customer.model_validate(row) for row in rows}


async def many_accounts(ids: list[str]) -> dict[str, Account]:
    """Accounts by id, one indexed lookup per id (batches of hundreds)."""
    rows = await db.find_by_keys(Account, "_id", ids)
    return {row["_id"]: Account.model_validate(row) for row in rows}


async def ids_with_nic_key(key: str, *, limit: int) -> list[str]:
    """Customers whose national id hashes to `key` (`Customer.nic_key`), by a pass."""
    cursor = Customer.get_pymongo_collection().find({"nic_key": key}, {"_id": 1})
    return [row["_id"] async for row in cursor.limit(limit)]


async def ids_with_search_key(keys: list[str], *, limit: int) -> list[str]:
    """Customers holding any of these search hashes (`Customer.search_keys`): a pass over
    the customers (an index would tax every intake write for one search box)."""
    cursor = Customer.get_pymongo_collection().find({"search_keys": {"$in": keys}}, {"_id": 1})
    return [row["_id"] async for row in cursor.limit(limit)]


async def reseal() -> pii.Resealed:
    """Seal every customer's personal values under the current key, hashes refreshed."""
    return await pii.reseal_collection(Customer, prepare=Customer.index_for_search)


async def get_account(account_id: str) -> Account | None:
    return await Account.get(account_id)


async def account_id_batches(size: int) -> AsyncIterator[list[str]]:
    """Every account id in `_id` order, `size` at a time, from one cursor (paging by
    `_id > last` would scan the accounts again for every page on SecantusDB)."""
    cursor = Account.get_pymongo_collection().find({}, {"_id": 1}).sort("_id", 1)
    batch: list[str] = []
    async for row in cursor.batch_size(size):
        batch.append(row["_id"])
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _from_bss(document: Customer | Account, fields: set[str]) -> db.Upsert:
    stored = _document(document)
    if isinstance(document, Customer) and "nic" in fields:
        fields = fields | {"nic_key"}  # the id's hash moves with it
    # `updated_at` stays when DebtX last wrote BSS's arrears (dunning compares cases with it)
    values = {name: stored[name] for name in fields | {"source_updated_at"}}
    rest = {k: v for k, v in stored.items() if k not in values and k not in {"_id", "version"}}
    return db.Upsert(document.id, values, on_insert=rest, inc={"version": 1})


async def upsert_from_bss(
    model: type[Customer] | type[Account], documents: list[tuple[Any, set[str]]]
) -> list[str]:
    """BSS's word on customers or accounts (distinct ids): each one's `fields` (with
    `source_updated_at`) written only over an older word, in one bulk write; a new one is
    inserted whole. Other fields (contacts, products, disputes) stay DebtX's."""
    items = [_from_bss(document, fields) for document, fields in documents]
    return await db.upsert_many_if_newer(model.get_pymongo_collection(), items)


async def not_minimised_before(
    cutoff: datetime, *, after: str | None, limit: int
) -> list[Customer]:
    """Customers unchanged since `cutoff` and not minimised yet, by id after `after`."""
    filters: dict[str, Any] = {"updated_at": {"$lt": cutoff}, "minimised_at": None}
    if after is not None:
        filters["_id"] = {"$gt": after}
    return await Customer.find(filters).sort("_id").limit(limit).to_list()


async def set_minimised(
    customer: Customer, fields: dict[str, Any], *, session: AsyncClientSession
) -> None:
    """Write the placeholders over the customer still at the version it was read at."""
    result = await Customer.get_pymongo_collection().update_one(
        {"_id": customer.id, "version": customer.version},
        {"$set": {**fields, "version": customer.version + 1}},
        session=session,
    )
    if result.matched_count == 0:
        raise CustomerChanged(f"Customer {customer.id} changed; reload and retry")
