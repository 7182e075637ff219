"""Customers with nothing open for years keep only what statistics need: their name,
national id, address and contact values become stable placeholders here and in every
copy (cases live and archived, incidents, messages sent, replies received)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime

from backend.audit.service import Actor
from backend.cases import service as cases
from backend.core import db
from backend.customers import service as customers
from backend.customers.models import Customer
from backend.dunning import service as dunning
from backend.intake import service as intake
from backend.notifications import service as notifications
from backend.responses import service as responses
from backend.retention import repository


async def stale_customers(cutoff: datetime, *, size: int) -> AsyncIterator[list[Customer]]:
    """Customers not yet minimised, with nothing open (no open case, no account in
    dunning) and nothing changed (their details, a case of theirs, live or archived)
    since `cutoff`, `size` at a time by id."""
    after: str | None = None
    while page := await customers.not_minimised_before(cutoff, after=after, limit=size):
        ids = [c.id for c in page]
        active = await cases.customers_active_since(ids, cutoff)
        active |= await repository.customers_archived_since(ids, cutoff)
        active |= await dunning.customers_overdue(ids)
        stale = [c for c in page if c.id not in active]
        if stale:
            yield stale
        after = page[-1].id


async def minimise_customer(*, actor: Actor | None, customer: Customer) -> None:
    """Minimise one customer and every copy of their details, in one transaction."""
    async with db.transaction() as session:
        name = await customers.minimise(actor=actor, customer=customer, session=session)
        await cases.rename_customer(
            actor=actor, customer_id=customer.id, name=name, session=session
        )
        await repository.rename_customer(customer.id, name, session=session)
        await intake.rename_customer(customer.id, name, session=session)
        await notifications.minimise_customer(customer.id, session=session)
        await responses.minimise_customer(customer.id, session=session)
