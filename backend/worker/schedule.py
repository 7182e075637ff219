"""Every periodic task, in one table."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "ops.heartbeat": {"task": "ops.heartbeat", "schedule": 30.0},
    # Daily, after the data lake's nightly export has landed in the drop folder.
    "intake.import_datalake": {
        "task": "intake.import_datalake",
        "schedule": crontab(hour=1, minute=0),
    },
    "allocation.recall_expired": {"task": "allocation.recall_expired", "schedule": 3600.0},
    "allocation.allocate_pool": {"task": "allocation.allocate_pool", "schedule": 3600.0},
    # Daily, just after midnight UTC, once the day that was due has ended.
    "negotiations.check_promises": {
        "task": "negotiations.check_promises",
        "schedule": crontab(hour=0, minute=15),
    },
    "settlements.check_missed": {
        "task": "settlements.check_missed",
        "schedule": crontab(hour=0, minute=20),
    },
    "requests.reject_moot": {"task": "requests.reject_moot", "schedule": 3600.0},
    "cases.rebuild_officer_counts": {
        "task": "cases.rebuild_officer_counts",
        "schedule": crontab(hour=2, minute=0),
    },
}
