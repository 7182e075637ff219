"""The only code that touches the receipts collections."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie.odm.utils.encoder import Encoder
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from backend.receipts.errors import ReceiptChanged
from backend.receipts.models import ProviderRecord, Receipt, ReceiptFlag, ReceiptStatus


async def insert_record(record: ProviderRecord) -> None:
    await record.insert()


async def insert_new(receipt: Receipt) -> bool:
    """Insert the receipt; False when one with its id is already there (booked once)."""
    try:
        await receipt.insert()
    except DuplicateKeyError:
        return False
    return True


async def get(receipt_id: str, *, session: AsyncClientSession | None = None) -> Receipt | None:
    return await Receipt.get(receipt_id, session=session)


async def seen_again(receipt_id: str, flag: ReceiptFlag | None) -> Receipt | None:
    """Count one more sighting, with its flag if it disagrees; the receipt as it now is."""
    update: dict[str, Any] = {"$inc": {"sightings": 1}}
    if flag is not None:
        update["$push"] = {"flags": Encoder().encode(flag)}
        update["$set"] = {"flagged": True}
    row = await Receipt.get_pymongo_collection().find_one_and_update(
        {"_id": receipt_id}, update, return_document=True
    )
    return None if row is None else Receipt.model_validate(row)


async def save(
    receipt: Receipt,
    fields: dict[str, Any],
    *,
    flags: list[ReceiptFlag] = (),  # type: ignore[assignment]
    session: AsyncClientSession | None = None,
) -> Receipt:
    """`$set` fields (and add flags) if the receipt is still at the version it was read at;
    a repeat sighting counted meanwhile is kept, since it does not change the version."""
    values = {**fields, "version": receipt.version + 1}
    if flags:
        values["flagged"] = True
    update: dict[str, Any] = {"$set": Encoder().encode(values)}
    if flags:
        update["$push"] = {"flags": {"$each": Encoder().encode(list(flags))}}
    result = await Receipt.get_pymongo_collection().update_one(
        {"_id": receipt.id, "version": receipt.version}, update, session=session
    )
    if result.matched_count == 0:
        raise ReceiptChanged(f"receipt {receipt.id} changed")
    for name, value in values.items():
        setattr(receipt, name, value)
    receipt.flags = [*receipt.flags, *flags]
    return receipt


async def listed(
    filters: dict[str, Any], *, after: tuple[datetime, str] | None, limit: int
) -> list[Receipt]:
    """Newest received first, keyset-paged on (received_at, _id)."""
    query = dict(filters)
    if after is not None:
        at, key = after
        query["$or"] = [{"received_at": {"$lt": at}}, {"received_at": at, "_id": {"$lt": key}}]
    cursor = Receipt.find(query).sort("-received_at", "-_id").limit(limit)
    return await cursor.to_list()


async def stalled(*, before: datetime, limit: int) -> list[Receipt]:
    """Receipts stored before `before` that nothing matched or suspended yet."""
    query = {
        "status": ReceiptStatus.SUSPENSE.value,
        "suspense_reason": None,
        "received_at": {"$lt": before},
    }
    return await Receipt.find(query).sort("received_at").limit(limit).to_list()


async def count_from_phone(phone_key: str, *, since: datetime, until: datetime) -> int:
    """Receipts from the phone with this keyed hash paid between `since` and `until`."""
    return await Receipt.get_pymongo_collection().count_documents(
        {"phone_key": phone_key, "paid_at": {"$gte": since, "$lte": until}}
    )


async def count_with_status(status: ReceiptStatus) -> int:
    return await Receipt.get_pymongo_collection().count_documents({"status": status.value})


async def records_of(receipt_id: str) -> list[ProviderRecord]:
    return await ProviderRecord.find({"receipt_id": receipt_id}).sort("received_at").to_list()
