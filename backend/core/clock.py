"""The server's clock, and times that phones report: trusted a little, never from the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.errors import ValidationFailed

# How far ahead of the server a phone's clock may run before its times are refused.
DEVICE_CLOCK_SKEW = timedelta(minutes=5)


class DeviceTimeInFuture(ValidationFailed):
    """A device time lies in the future; the phone's clock or the input is wrong."""

    code = "request.device_time_in_future"
    title = "Time is in the future"


def now() -> datetime:
    """The current time, aware and in UTC: what every stored time is."""
    return datetime.now(UTC)


def require_past(at: datetime, *, what: str) -> None:
    """Refuse a recorded time later than now (allowing for a phone's clock skew)."""
    if at > now() + DEVICE_CLOCK_SKEW:
        raise DeviceTimeInFuture(f"{what} lies in the future")
