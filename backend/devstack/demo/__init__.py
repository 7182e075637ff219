"""Demo data, loaded once (`debtx seed`, and the first `make run`).

The organisation (three DRCs, operator staff, a supervisor and three officers per DRC),
the operator's allocation rules and commission rates, and about 300 cases that came in
through intake as one bulk file and were allocated, handed to officers and worked, so
every phase has cases: some still in the pool or waiting for an officer, others in
negotiation, settlement, mediation or legal review, and some closed. BSS's billing
(invoices, plans, cycles, groups, payment methods) comes for some of the accounts, a
few of them dispute a bill or a payment, and yesterday's bank transfers are notified,
stated and reconciled. Everything is written through the domains' own services, as the
person who would do it, so history, audit and versions are what the running system would
have produced. A fixed seed makes
the data the same on every load (ids and times aside).
"""

from __future__ import annotations

import random

from backend.core import clock
from backend.core.logging import get_logger
from backend.devstack.demo import bank, billing, deck, disputes, placement, terms
from backend.devstack.demo.people import (
    DEMO_DOMAIN,
    DEMO_DRCS,
    OFFICER_AREAS,
    accounts,
    create_people,
    demo_users,
)
from backend.devstack.demo.work import Work

__all__ = ["DEMO_DOMAIN", "DEMO_DRCS", "OFFICER_AREAS", "demo_users", "load_demo_data"]

SEED = 20_240_917
log = get_logger("debtx.demo")


async def load_demo_data() -> bool:
    """Load everything once; False when it was already there."""
    if not await create_people():
        return False
    work = Work(people=await accounts(), rng=random.Random(SEED), today=clock.now().date())
    await terms.publish(work.admin, work.today)
    batch = await placement.import_incidents(work)
    await billing.push_billing(work)
    await placement.allocate(work)
    await placement.distribute(work)
    told = await deck.play(work, await placement.assigned_cases(work))
    raised = await disputes.raise_disputes(work)
    await bank.bank_day(work)
    log.info("demo.loaded", incidents=batch.incidents_created, stories=dict(told), disputes=raised)
    return True
