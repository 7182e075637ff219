"""When a message may go out: quiet hours in the recipient's time zone, frequency caps.

Pure functions; the delivery code reads what they need (the customer, opt-outs, how
many messages went out lately) and asks these.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.notifications.errors import QuietHoursEmpty, TimeZoneUnknown
from backend.notifications.models import QuietHours

DEFAULT_TIME_ZONE = "Asia/Colombo"


class Reason:
    """The stable words a blocked, deferred or skipped delivery records."""

    QUIET_HOURS = "quiet_hours"
    FREQUENCY_CAP = "frequency_cap"
    OPTED_OUT = "opted_out"
    DISPUTE_OPEN = "dispute_open"
    NO_CONTACT = "no_contact"
    NO_DEVICE = "no_device"
    NOT_CONFIGURED = "not_configured"
    CASE_GONE = "case_gone"


@dataclass(frozen=True)
class Block:
    """Why a send may not happen now; with `until`, it may happen then."""

    reason: str
    detail: str
    until: datetime | None = None


def zone(name: str | None) -> ZoneInfo:
    """The named zone; an unknown name falls back to Colombo rather than failing a send."""
    try:
        return ZoneInfo(name or DEFAULT_TIME_ZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIME_ZONE)


def require_zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeZoneUnknown(f"Unknown time zone {name!r}", time_zone=name) from exc


def require_window(window: QuietHours) -> None:
    if window.start == window.end:
        raise QuietHoursEmpty("Quiet hours must start and end at different times")


def _clock(value: str) -> time:
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def quiet_until(now: datetime, window: QuietHours | None, time_zone: str | None) -> datetime | None:
    """If `now` falls in the quiet window (local time), the UTC moment it ends; else None."""
    if window is None:
        return None
    tz = zone(time_zone)
    local = now.astimezone(tz)
    start, end, clock = _clock(window.start), _clock(window.end), local.time()
    overnight = start > end
    inside = (clock >= start or clock < end) if overnight else (start <= clock < end)
    if not inside:
        return None
    end_day = local.date() + timedelta(days=1) if overnight and clock >= start else local.date()
    return datetime.combine(end_day, _clock(window.end), tzinfo=tz).astimezone(UTC)


def quiet_block(now: datetime, window: QuietHours | None, time_zone: str | None) -> Block | None:
    until = quiet_until(now, window, time_zone)
    if until is None:
        return None
    assert window is not None
    detail = f"quiet hours {window.start}-{window.end} {zone(time_zone).key}; held until {until}"
    return Block(Reason.QUIET_HOURS, detail, until=until)


def cap_block(sent: int, cap: int, window_hours: int, channel: str) -> Block | None:
    if sent < cap:
        return None
    return Block(
        Reason.FREQUENCY_CAP,
        f"{sent} {channel} message(s) in the last {window_hours} h; the cap is {cap}",
    )
