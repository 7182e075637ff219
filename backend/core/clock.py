"""Times that phones report: trusted a little, never from the future."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.errors import ValidationFailed

# How far ahead of the server a phone's clock may run before its times are refused.
DEVICE_CLOCK_SKEW = timedelta(minutes=5)


class DeviceTimeInFuture(ValidationFailed):
    """A device time lies in the future; the phone's clock or the input is wrong."""

    code = "request.device_time_in_future"
    title = "Time is in the future"


def require_past(at: datetime, *, what: str) -> None:
    """Refuse a recorded time later than now (allowing for a phone's clock skew)."""
    if at > datetime.now(UTC) + DEVICE_CLOCK_SKEW:
        raise DeviceTimeInFuture(f"{what} lies in the future")
