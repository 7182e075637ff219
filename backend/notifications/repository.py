"""The only code that touches the notification collections."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import clock, db, pii
from backend.core.ids import object_id, object_ids
from backend.notifications.models import (
    CLAIMABLE,
    Channel,
    ContactPolicy,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Device,
    MessageTemplate,
    Notification,
    OptOut,
    Platform,
    Preferences,
)


def _now_as_stored() -> datetime:
    """Now, to the millisecond as stored, so what a write answers is what a read returns."""
    return db.as_stored(clock.now())


# --------------------------------------------------------------------------- devices


async def save_device(
    *, user_id: str, device_id: str, token: str, platform: Platform, app_version: str | None
) -> Device:
    """Register or refresh; a token now held by this device is taken from any other."""
    collection = Device.get_pymongo_collection()
    await collection.delete_many(
        {"token": token, "$or": [{"user_id": {"$ne": user_id}}, {"device_id": {"$ne": device_id}}]}
    )
    now = _now_as_stored()
    await collection.update_one(
        {"user_id": user_id, "device_id": device_id},
        {
            "$set": {
                "token": token,
                "platform": platform.value,
                "app_version": app_version,
                "refreshed_at": now,
            },
            "$setOnInsert": {"registered_at": now},
        },
        upsert=True,
    )
    device = await Device.find_one({"user_id": user_id, "device_id": device_id})
    assert device is not None
    return device


async def devices_of(user_id: str) -> list[Device]:
    return await Device.find({"user_id": user_id}).sort("device_id").to_list()


async def devices_of_users(user_ids: list[str]) -> dict[str, list[Device]]:
    found: dict[str, list[Device]] = defaultdict(list)
    async for device in Device.find({"user_id": {"$in": user_ids}}):
        found[device.user_id].append(device)
    return found


async def delete_device(user_id: str, device_id: str) -> bool:
    result = await Device.get_pymongo_collection().delete_one(
        {"user_id": user_id, "device_id": device_id}
    )
    return result.deleted_count == 1


async def prune(tokens: list[tuple[ObjectId, str]]) -> int:
    """Delete devices whose token FCM refused, unless the app has sent a new one since."""
    if not tokens:
        return 0
    result = await Device.get_pymongo_collection().delete_many(
        {"$or": [{"_id": device_id, "token": token} for device_id, token in tokens]}
    )
    return result.deleted_count


# --------------------------------------------------------------------------- feed


async def insert_notifications(
    items: list[Notification], *, session: AsyncClientSession | None
) -> None:
    if items:
        await Notification.insert_many(items, session=session)


async def existing_keys(
    model: type[Notification] | type[Delivery],
    keys: list[str],
    *,
    session: AsyncClientSession | None,
) -> set[str]:
    """Which of these dedupe keys are already used (the reminder went out)."""
    if not keys:
        return set()
    cursor = model.get_pymongo_collection().find(
        {"dedupe_key": {"$in": keys}}, {"dedupe_key": 1}, session=session
    )
    return {doc["dedupe_key"] async for doc in cursor}


async def feed_page(
    user_id: str, *, unread: bool, after: ObjectId | None, limit: int
) -> list[Notification]:
    filters: dict[str, Any] = {"user_id": user_id}
    if unread:
        filters["read_at"] = None
    if after is not None:
        filters["_id"] = {"$lt": after}
    return await Notification.find(filters).sort("-_id").limit(limit).to_list()


async def feed_item(user_id: str, notification_id: str) -> Notification | None:
    oid = object_id(notification_id)
    return None if oid is None else await Notification.find_one({"_id": oid, "user_id": user_id})


async def mark_read(item: Notification) -> Notification:
    """Set `read_at` once; reading again keeps the first time."""
    if item.read_at is None:
        now = _now_as_stored()
        await Notification.get_pymongo_collection().update_one(
            {"_id": item.id, "read_at": None}, {"$set": {"read_at": now}}
        )
        item.read_at = now
    return item


async def mark_all_read(user_id: str) -> int:
    result = await Notification.get_pymongo_collection().update_many(
        {"user_id": user_id, "read_at": None}, {"$set": {"read_at": _now_as_stored()}}
    )
    return result.modified_count


async def unread_count(user_id: str) -> int:
    return await Notification.get_pymongo_collection().count_documents(
        {"user_id": user_id, "read_at": None}
    )


# --------------------------------------------------------------------------- deliveries


async def insert_deliveries(items: list[Delivery], *, session: AsyncClientSession | None) -> None:
    if items:
        await Delivery.insert_many(items, session=session)


async def claim(delivery_ids: list[str], *, now: datetime) -> list[Delivery]:
    """Take the due ones for this worker; another worker's claim wins over ours."""
    token, ids = str(ObjectId()), object_ids(delivery_ids)
    await Delivery.get_pymongo_collection().update_many(
        {
            "_id": {"$in": ids},
            "status": {"$in": [s.value for s in CLAIMABLE]},
            "next_attempt_at": {"$lte": now},
        },
        {"$set": {"status": DeliveryStatus.SENDING.value, "claimed_at": now, "claim": token}},
    )
    claimed = await Delivery.find({"_id": {"$in": ids}, "claim": token}).to_list()
    for delivery in claimed:
        delivery.claim = token
    return claimed


def outcome_write(delivery: Delivery, fields: dict[str, Any], event: DeliveryEvent) -> UpdateOne:
    """The write that stores one attempt's outcome, for `write_outcomes`."""
    if fields.get("to"):
        fields = {**fields, "to": pii.seal(fields["to"])}
    values = Encoder().encode({**fields, "claim": None, "updated_at": _now_as_stored()})
    return UpdateOne(
        {"_id": delivery.id, "claim": delivery.claim},
        {"$set": values, "$push": {"events": Encoder().encode(event)}},
    )


async def write_outcomes(writes: list[UpdateOne]) -> None:
    if writes:
        await Delivery.get_pymongo_collection().bulk_write(writes, ordered=False)


async def due_ids(*, now: datetime, stale_before: datetime, limit: int) -> list[str]:
    """Deliveries to (re)try now; ones a dead worker left half-sent are freed first."""
    collection = Delivery.get_pymongo_collection()
    await collection.update_many(
        {"status": DeliveryStatus.SENDING.value, "claimed_at": {"$lt": stale_before}},
        {"$set": {"status": DeliveryStatus.RETRYING.value, "claim": None}},
    )
    cursor = (
        collection.find(
            {
                "status": {"$in": [s.value for s in CLAIMABLE]},
                "next_attempt_at": {"$lte": now},
            },
            {"_id": 1},
        )
        .sort("next_attempt_at", 1)
        .limit(limit)
    )
    return [str(doc["_id"]) async for doc in cursor]


async def sent_count(customer_id: str, channel: Channel, *, since: datetime) -> int:
    return await Delivery.get_pymongo_collection().count_documents(
        {
            "customer_id": customer_id,
            "channel": channel.value,
            "status": DeliveryStatus.SENT.value,
            "sent_at": {"$gte": since},
        }
    )


async def delivery(delivery_id: str) -> Delivery | None:
    oid = object_id(delivery_id)
    return None if oid is None else await Delivery.get(oid)


async def delivery_page(
    filters: dict[str, Any], *, after: ObjectId | None, limit: int
) -> list[Delivery]:
    if after is not None:
        filters = {**filters, "_id": {"$lt": after}}
    return await Delivery.find(filters).sort("-_id").limit(limit).to_list()


# --------------------------------------------------------------------------- preferences


async def preferences(user_id: str) -> Preferences | None:
    return await Preferences.get(user_id)


async def preferences_of(
    user_ids: list[str], *, session: AsyncClientSession | None
) -> dict[str, Preferences]:
    found = await Preferences.find({"_id": {"$in": user_ids}}, session=session).to_list()
    return {p.id: p for p in found}


async def save_preferences(preferences: Preferences) -> Preferences:
    preferences.updated_at = _now_as_stored()
    return await preferences.save()


# --------------------------------------------------------------------------- templates, policy


async def template(template_id: str) -> MessageTemplate | None:
    return await MessageTemplate.get(template_id)


async def templates() -> list[MessageTemplate]:
    return await MessageTemplate.find().sort("_id").to_list()


async def save_template(template: MessageTemplate) -> MessageTemplate:
    template.updated_at = _now_as_stored()
    return await template.save()


async def delete_template(template_id: str) -> bool:
    result = await MessageTemplate.get_pymongo_collection().delete_one({"_id": template_id})
    return result.deleted_count == 1


async def contact_policy() -> ContactPolicy | None:
    return await ContactPolicy.get("default")


async def save_contact_policy(policy: ContactPolicy) -> ContactPolicy:
    policy.updated_at = _now_as_stored()
    return await policy.save()


async def opt_out(customer_id: str, channel: Channel) -> OptOut | None:
    return await OptOut.get(f"{customer_id}|{channel.value}")


async def opt_outs_of(customer_id: str) -> list[OptOut]:
    return await OptOut.find({"customer_id": customer_id}).sort("_id").to_list()


async def save_opt_out(opt_out: OptOut, *, session: AsyncClientSession | None = None) -> OptOut:
    return await opt_out.save(session=session)


async def delivery_by_provider_id(channel: Channel, provider_id: str) -> Delivery | None:
    return await Delivery.find_one({"channel": channel.value, "provider_id": provider_id})


async def record_receipt(delivery: Delivery, fields: dict[str, Any], event: DeliveryEvent) -> None:
    """Store what the provider reported after the send, with a line in the delivery's log."""
    await Delivery.get_pymongo_collection().update_one(
        {"_id": delivery.id},
        {
            "$set": Encoder().encode({**fields, "updated_at": _now_as_stored()}),
            "$push": {"events": Encoder().encode(event)},
        },
    )


async def delete_opt_out(customer_id: str, channel: Channel) -> bool:
    result = await OptOut.get_pymongo_collection().delete_one(
        {"_id": f"{customer_id}|{channel.value}"}
    )
    return result.deleted_count == 1


async def reseal() -> pii.Resealed:
    """Seal every delivery's recipient under the current key."""
    return await pii.reseal_collection(Delivery)


FINISHED = (
    DeliveryStatus.SENT,
    DeliveryStatus.BLOCKED,
    DeliveryStatus.SKIPPED,
    DeliveryStatus.FAILED,
)


async def finished_before(
    cutoff: datetime, *, after: ObjectId | None, limit: int
) -> list[ObjectId]:
    """Ids of deliveries that reached their end before `cutoff`, by id after `after`."""
    filters: dict[str, Any] = {
        "status": {"$in": [s.value for s in FINISHED]},
        "updated_at": {"$lt": cutoff},
    }
    if after is not None:
        filters["_id"] = {"$gt": after}
    cursor = Delivery.get_pymongo_collection().find(filters, {"_id": 1}).sort("_id", 1)
    return [row["_id"] async for row in cursor.limit(limit)]


async def delete_deliveries(ids: list[ObjectId]) -> int:
    """Delete these deliveries if they are still finished; how many went."""
    filters = {"_id": {"$in": ids}, "status": {"$in": [s.value for s in FINISHED]}}
    return (await Delivery.get_pymongo_collection().delete_many(filters)).deleted_count


async def minimise_customer(customer_id: str, *, session: AsyncClientSession) -> int:
    """Blank where and what was sent to the customer (channel, kind, status stay)."""
    result = await Delivery.get_pymongo_collection().update_many(
        {"customer_id": customer_id, "to": {"$ne": None}},
        {"$set": {"to": None, "title": None, "body": "", "data": {}}},
        session=session,
    )
    return result.modified_count
