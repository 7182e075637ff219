"""M-PESA tasks: send one queued STK push, and the sweep (backend/mpesa/sweep.py)."""

from __future__ import annotations

from backend.core.settings import get_settings
from backend.mpesa import service, sweep
from backend.worker import runtime
from backend.worker.app import celery_app


async def run_send(request_id: str) -> None:
    await service.send(request_id, http=runtime.resources().http, settings=get_settings().mpesa)


@celery_app.task(name="mpesa.send_push")
def send_push(request_id: str) -> None:
    """Enqueued once the officer's mutation commits; a lost one is sent by the sweep."""
    runtime.run(run_send(request_id))


async def run_sweep() -> dict[str, int]:
    return await sweep.sweep(http=runtime.resources().http, settings=get_settings().mpesa)


@celery_app.task(name="mpesa.sweep")
def sweep_requests() -> dict[str, int]:
    """Unsent pushes, silent ones (status query), and paid ones not yet booked."""
    return runtime.run(run_sweep())
