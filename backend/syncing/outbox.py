"""The Firestore outbox wired to DebtX: who the uid is, which apps may push, the clients."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from backend.core.errors import AccountDisabled, UnknownUser
from backend.core.locks import lease
from backend.core.logging import get_logger
from backend.resources import Resources
from backend.syncing import service
from backend.users import service as users
from backend.users.models import User
from sync.outbox import Outbox, Processed

log = get_logger("debtx.sync")

POLL_LOCK = "debtx:sync:outbox_poll"
POLL_LOCK_SECONDS = 120


async def resolve_user(uid: str) -> User:
    """The DebtX account the outbox belongs to; unknown or disabled ones are refused."""
    user = await users.by_uid(uid)
    if user is None:
        raise UnknownUser(f"No DebtX account {uid}")
    if not user.active:
        raise AccountDisabled(f"The DebtX account {uid} is disabled")
    return user


def outbox_for(resources: Resources) -> Outbox:
    settings = resources.settings.sync
    return Outbox(
        resources.firestore,
        service.ENGINE,
        resolve_user=resolve_user,
        admit=lambda mutation: service.check_client(settings, [mutation]),
        batch=settings.outbox_batch,
    )


async def deliver(*, resources: Resources, uid: str, doc_id: str) -> Processed:
    """Apply the document the Cloud Function named, read from Firestore, never its payload."""
    return await outbox_for(resources).deliver(uid, doc_id)


async def poll(*, resources: Resources) -> dict[str, int]:
    """One pass over the open documents, by one poller at a time across workers."""
    async with lease(resources.redis, POLL_LOCK, seconds=POLL_LOCK_SECONDS) as held:
        if not held.held:
            return {"skipped": 1}
        return dict(await outbox_for(resources).poll())


async def watch(*, resources: Resources, report: Callable[[dict[str, int]], None]) -> None:
    """Poll every `outbox_poll_seconds` until cancelled (the `debtx sync-outbox --watch`)."""
    while True:
        try:
            counts = await poll(resources=resources)
        except Exception:
            # Firestore or MongoDB unreachable for a moment: the next pass tries again.
            log.exception("sync.outbox.poll_failed")
            counts = {}
        if counts:
            report(counts)
        await asyncio.sleep(resources.settings.sync.outbox_poll_seconds)
