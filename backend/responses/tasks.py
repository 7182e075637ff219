"""Response tasks: the replies mailbox, read on the beat."""

from __future__ import annotations

from backend.core.settings import get_settings
from backend.responses import mailbox
from backend.worker import runtime
from backend.worker.app import celery_app


async def run_read_mailbox() -> int:
    return await mailbox.read_mailbox(get_settings().responses)


@celery_app.task(name="responses.read_mailbox")
def read_mailbox() -> int:
    """Every minute: new messages in the replies mailbox, each stored once."""
    return runtime.run(run_read_mailbox())
