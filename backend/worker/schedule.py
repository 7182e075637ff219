"""Every periodic task, in one table."""

from __future__ import annotations

from typing import Any

from celery.schedules import crontab

from backend.core.settings import get_settings

_OUTBOX_POLL = get_settings().sync.outbox_poll_seconds
_OSS_SWEEP = get_settings().oss.sweep_seconds
_BANK_FETCH = get_settings().bank.fetch_seconds
_MPESA_SWEEP = get_settings().mpesa.sweep_seconds

BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    "ops.heartbeat": {"task": "ops.heartbeat", "schedule": 30.0},
    # Daily, after the data lake's nightly export has landed in the drop folder.
    "intake.import_datalake": {
        "task": "intake.import_datalake",
        "schedule": crontab(hour=1, minute=0),
    },
    # Hourly: BSS drops billing feed files through the day (the push carries the rest).
    "billing.import_feeds": {"task": "billing.import_feeds", "schedule": crontab(minute=10)},
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
    # Daily reminders at 02:30 UTC (08:00 in Colombo); overdue checks hourly; the outbox
    # relay every minute (quiet hours ending, lost enqueues).
    "notifications.send_daily_reminders": {
        "task": "notifications.send_daily_reminders",
        "schedule": crontab(hour=2, minute=30),
    },
    "notifications.check_overdue": {"task": "notifications.check_overdue", "schedule": 3600.0},
    "notifications.relay": {"task": "notifications.relay", "schedule": 60.0},
    # Customer replies by email; a run still queued after a minute is dropped.
    "responses.read_mailbox": {
        "task": "responses.read_mailbox",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Daily at 03:00 UTC (08:30 in Colombo): every account's standing and ladder, in chunks.
    "dunning.evaluate_all": {
        "task": "dunning.evaluate_all",
        "schedule": crontab(hour=3, minute=0),
    },
    "cases.rebuild_officer_counts": {
        "task": "cases.rebuild_officer_counts",
        "schedule": crontab(hour=2, minute=0),
    },
    # The Firestore outbox, for deployments without the Cloud Function (and as its safety
    # net); a poll still queued after one period is dropped, the next one covers it.
    # The mirror follows the log in one-minute windows; a lease keeps a single follower,
    # so the next window waits for (or replaces) the running one.
    "sync.mirror": {"task": "sync.mirror", "schedule": 30.0, "options": {"expires": 30.0}},
    "sync.verify_mirror": {"task": "sync.verify_mirror", "schedule": crontab(hour=3, minute=30)},
    # Daily: closed cases to the archive, customers long gone minimised, the change log
    # and the delivery log pruned (it prunes what `sync.prune_changes` would), then the
    # backup, with the newest DEBTX_BACKUPS__KEEP archives kept.
    "retention.run": {"task": "retention.run", "schedule": crontab(hour=3, minute=45)},
    "backups.create": {
        "task": "backups.create",
        "schedule": crontab(hour=get_settings().backups.hour_utc, minute=30),
    },
    "sync.poll_outbox": {
        "task": "sync.poll_outbox",
        "schedule": _OUTBOX_POLL,
        "options": {"expires": _OUTBOX_POLL},
    },
    # Receipts whose booking was interrupted after they were stored are matched again.
    "receipts.resume_stalled": {
        "task": "receipts.resume_stalled",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    # Events to OSS that are due (retries, lost enqueues), then the open cure records.
    "oss.sweep": {"task": "oss.sweep", "schedule": _OSS_SWEEP, "options": {"expires": _OSS_SWEEP}},
    # Late each day, so a month's last snapshot is its book at the month's end.
    "reports.snapshot_cases": {
        "task": "reports.snapshot_cases",
        "schedule": crontab(hour=23, minute=50),
    },
    # Hourly: each subscription's period is mailed once, and a failed one tried again.
    "reports.send_scheduled": {
        "task": "reports.send_scheduled",
        "schedule": crontab(minute=10),
    },
    # New statement files from the bank; a fetch still queued after one period is dropped.
    "banking.fetch_statements": {
        "task": "banking.fetch_statements",
        "schedule": _BANK_FETCH,
        "options": {"expires": _BANK_FETCH},
    },
    # Daily at 04:00 UTC, the day before, once its statements are in; monthly balances on
    # the 2nd, once BSS's month-end figures have come.
    "reconciliation.run_daily": {
        "task": "reconciliation.run_daily",
        "schedule": crontab(hour=4, minute=0),
    },
    "reconciliation.verify_balances": {
        "task": "reconciliation.verify_balances",
        "schedule": crontab(day_of_month=2, hour=4, minute=30),
    },
    # STK pushes no process sent, silent ones (the status query), paid ones not booked.
    "mpesa.sweep": {
        "task": "mpesa.sweep",
        "schedule": _MPESA_SWEEP,
        "options": {"expires": _MPESA_SWEEP},
    },
}
