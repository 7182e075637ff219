"""Every periodic task, in one table."""

from __future__ import annotations

from typing import Any

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "ops.heartbeat": {"task": "ops.heartbeat", "schedule": 30.0},
}
