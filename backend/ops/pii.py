"""Sealing every stored personal value under the current key: after a key rotation, and
once after upgrading from a release that stored them in plain text."""

from __future__ import annotations

from backend.core.logging import get_logger
from backend.core.pii import Resealed
from backend.customers import privacy
from backend.notifications import service as notifications
from backend.responses import service as responses
from backend.syncing import service as syncing

log = get_logger(__name__)


async def reseal_all() -> dict[str, dict[str, int]]:
    """Each collection holding personal values, walked once; what was rewritten in each.
    Documents already under the current key are left as they are, so a second run (or
    one interrupted and started again) rewrites nothing twice."""
    passes: list[Resealed] = [
        await privacy.reseal_pii(),
        await responses.reseal_pii(),
        await notifications.reseal_pii(),
        *await syncing.reseal_pii(),
    ]
    for done in passes:
        log.info("pii.resealed", collection=done.collection, resealed=done.resealed)
    return {p.collection: {"read": p.read, "resealed": p.resealed} for p in passes}
