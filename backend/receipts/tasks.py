"""Receipts' sweep: bookings interrupted after the receipt was stored are finished."""

from __future__ import annotations

from backend.receipts import service
from backend.worker import runtime
from backend.worker.app import celery_app


@celery_app.task(name="receipts.resume_stalled")
def resume_stalled() -> int:
    """Match again the receipts a crash or restart left unmatched; how many."""
    return runtime.run(service.resume_stalled())
