"""The Celery application: Redis broker, tasks named `domain.verb`, one beat table.

Whoever sends a task imports this module; what a worker process needs to run tasks (its
clients, opened once per process) is connected by backend/worker/process.py, which only
a worker loads (it is in `include`), so sending a task never depends on every domain.
"""

from __future__ import annotations

from celery import Celery
from celery.signals import setup_logging

from backend.core.logging import configure_logging
from backend.core.settings import get_settings
from backend.worker.schedule import BEAT_SCHEDULE

TASK_MODULES = [
    "backend.cases.tasks",
    "backend.ops.tasks",
    "backend.intake.tasks",
    "backend.allocation.tasks",
    "backend.negotiations.tasks",
    "backend.settlements.tasks",
    "backend.requests.tasks",
    "backend.notifications.tasks",
    "backend.responses.tasks",
    "backend.dunning.tasks",
    "backend.syncing.tasks",
    "backend.oss.tasks",
    "backend.banking.tasks",
    "backend.reconciliation.tasks",
    "backend.mpesa.tasks",
    "backend.billing.tasks",
    "backend.receipts.tasks",
    "backend.reports.tasks",
    "backend.retention.tasks",
    "backend.backups.tasks",
]


def make_celery() -> Celery:
    settings = get_settings()
    app = Celery("debtx", include=[*TASK_MODULES, "backend.worker.process"])
    app.conf.update(
        broker_url=settings.redis.url.get_secret_value(),
        broker_connection_retry_on_startup=True,
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        worker_hijack_root_logger=False,
        task_serializer="json",
        accept_content=["json"],
        timezone="UTC",
        beat_schedule=BEAT_SCHEDULE,
        # The Firestore mirror follows the change log for a minute at a time: its own
        # queue (and worker) keeps it from holding a slot the other tasks need.
        task_routes={"sync.mirror": {"queue": "mirror"}},
    )
    return app


celery_app = make_celery()


@setup_logging.connect
def _logging(**_: object) -> None:
    """Celery's own lines go through structlog too, as JSON."""
    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
