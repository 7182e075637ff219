"""Customers' personal data as staff see it: each showing audited, and the sealing of
every stored value under the current key."""

from __future__ import annotations

from backend.audit import service as audit
from backend.core import db, pii
from backend.customers import repository
from backend.users.models import User


async def record_pii_read(
    *, actor: User, customer_id: str, via: str, drc_id: str | None = None
) -> None:
    """Write to the audit trail that staff were shown a customer's personal data."""
    await audit.record(
        actor=actor,
        action="customer.pii_read",
        entity_type="customer",
        entity_id=customer_id,
        after={"via": via},
        drc_id=drc_id if drc_id is not None else actor.drc_id,
    )


async def record_pii_reads(*, actor: User, customer_ids: list[str | None], via: str) -> None:
    """One `customer.pii_read` per customer shown in a list (a phone number, an address),
    in one write."""
    shown = [c for c in dict.fromkeys(customer_ids) if c is not None]
    if not shown:
        return
    async with db.transaction() as session:
        await audit.record_many(
            actor=actor,
            action="customer.pii_read",
            entity_type="customer",
            created=[(c, {"via": via}, actor.drc_id) for c in shown],
            session=session,
        )


async def reseal_pii() -> pii.Resealed:
    """Seal every customer's personal values under the current key (plaintext from before
    sealing too), with the search hashes refreshed."""
    return await repository.reseal()
