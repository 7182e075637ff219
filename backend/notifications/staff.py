"""What each staff user manages for themselves: devices, their feed, their preferences.
Everything here is the caller's own; nobody reads another user's."""

from __future__ import annotations

from backend.core.pagination import Page, object_id_cursor
from backend.notifications import policy, repository
from backend.notifications.errors import DeviceNotFound, NotificationNotFound
from backend.notifications.models import Device, Notification, Preferences, QuietHours
from backend.notifications.schemas import (
    DeviceRead,
    DeviceRegister,
    FeedCounts,
    MarkedRead,
    NotificationRead,
    PreferencesRead,
    PreferencesUpdate,
)
from backend.notifications.service import drc_topic
from backend.users.models import User

# --------------------------------------------------------------------------- devices


def _device_read(actor: User, device: Device) -> DeviceRead:
    return DeviceRead(
        device_id=device.device_id,
        platform=device.platform,
        app_version=device.app_version,
        registered_at=device.registered_at,
        refreshed_at=device.refreshed_at,
        topics=[drc_topic(actor.drc_id)] if actor.drc_id else [],
    )


async def register_device(*, actor: User, device_id: str, data: DeviceRegister) -> DeviceRead:
    """Register the device, or refresh its token; the token leaves any other device."""
    device = await repository.save_device(
        user_id=actor.id,
        device_id=device_id,
        token=data.token,
        platform=data.platform,
        app_version=data.app_version,
    )
    return _device_read(actor, device)


async def list_devices(*, actor: User) -> list[DeviceRead]:
    """The caller's registered devices."""
    return [_device_read(actor, d) for d in await repository.devices_of(actor.id)]


async def unregister_device(*, actor: User, device_id: str) -> None:
    """Forget the device (the user signed out on it)."""
    if not await repository.delete_device(actor.id, device_id):
        raise DeviceNotFound(f"No device {device_id}")


# --------------------------------------------------------------------------- feed


def read(item: Notification) -> NotificationRead:
    return NotificationRead.model_validate({**item.model_dump(), "id": str(item.id)})


async def feed(
    *, actor: User, unread: bool, cursor: str | None, limit: int
) -> Page[NotificationRead]:
    """The caller's notifications, newest first."""
    rows = await repository.feed_page(
        actor.id, unread=unread, after=object_id_cursor(cursor), limit=limit + 1
    )
    items = [read(n) for n in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)


async def mark_read(*, actor: User, notification_id: str) -> NotificationRead:
    item = await repository.feed_item(actor.id, notification_id)
    if item is None:
        raise NotificationNotFound(f"No notification {notification_id}")
    return read(await repository.mark_read(item))


async def mark_all_read(*, actor: User) -> MarkedRead:
    return MarkedRead(marked=await repository.mark_all_read(actor.id))


async def counts(*, actor: User) -> FeedCounts:
    return FeedCounts(unread=await repository.unread_count(actor.id))


# --------------------------------------------------------------------------- preferences


def _preferences_read(preferences: Preferences) -> PreferencesRead:
    return PreferencesRead.model_validate(preferences.model_dump())


async def get_preferences(*, actor: User) -> PreferencesRead:
    stored = await repository.preferences(actor.id)
    return _preferences_read(stored or Preferences(id=actor.id))


async def set_preferences(*, actor: User, data: PreferencesUpdate) -> PreferencesRead:
    """Replace the caller's channels and quiet hours."""
    policy.require_zone(data.time_zone)
    quiet = QuietHours(**data.quiet_hours.model_dump()) if data.quiet_hours else None
    if quiet is not None:
        policy.require_window(quiet)
    preferences = Preferences(
        id=actor.id,
        push=data.push,
        sms=data.sms,
        email=data.email,
        quiet_hours=quiet,
        time_zone=data.time_zone,
    )
    return _preferences_read(await repository.save_preferences(preferences))
