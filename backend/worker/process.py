"""A worker process's life: its clients open when it starts and close when it stops."""

from __future__ import annotations

from celery.signals import worker_process_init, worker_process_shutdown

from backend.core.logging import configure_logging
from backend.core.settings import get_settings
from backend.worker import runtime


@worker_process_init.connect
def _open_resources(**_: object) -> None:
    settings = get_settings()
    configure_logging(level=settings.log_level, json=settings.log_json)
    runtime.start(settings)


@worker_process_shutdown.connect
def _close_resources(**_: object) -> None:
    runtime.stop()
