"""What happened on a case with arrears, from the first contact to payment in full.

Each story is `async (work, case, n)`, `n` counting the cases given that story so far;
it acts only through the domains' services, as the person who would do it.
"""

from __future__ import annotations

from backend.cases import service as cases
from backend.cases.contacts import NegotiationOutcome as Said
from backend.cases.models import Case
from backend.cases.schemas import CaseWithdraw
from backend.core.money import Money
from backend.devstack.demo import actions
from backend.devstack.demo.actions import contact
from backend.devstack.demo.work import Work, fresh, instalments, share
from backend.payments.models import PaymentChannel

PROMISE_NOTES = (
    "Customer will pay from the month's salary",
    "Customer's son working abroad will send money",
    "Customer will pay after the paddy harvest is sold",
    "Customer agreed to pay part now, the rest after reconnection",
    "Small shop owner; will pay after the festival season",
)
REFUSALS = (
    "Customer says the service was poor and refuses to pay",
    "Customer refused; says the line was disconnected without notice",
    "Customer refuses until the outstanding is recalculated",
)
DISPUTES = (
    "Customer says the router was returned at the teleshop last year",
    "Customer disputes the PEO TV charges after the package was cancelled",
    "Customer says payments by eZ Cash in March were not credited",
)


async def untouched(work: Work, case: Case, n: int) -> None:
    """Assigned; the officer has not reached the customer yet."""


async def unreachable(work: Work, case: Case, n: int) -> None:
    for attempt in range(1 + n % 2):
        await contact(work, case, Said.UNREACHABLE, follow_up=1 + attempt + n % 3)


async def refused(work: Work, case: Case, n: int) -> None:
    notes = work.rng.choice(REFUSALS)
    await contact(work, case, Said.REFUSED, notes=notes, follow_up=7 + n % 8)


async def dispute(work: Work, case: Case, n: int) -> None:
    reason = work.rng.choice(DISPUTES)
    await contact(work, case, Said.DISPUTE_RAISED, dispute=reason, follow_up=10)


async def promise_open(work: Work, case: Case, n: int) -> None:
    """A promise for part of the arrears, due in a few weeks; sometimes after a missed call."""
    if n % 3 == 0:
        await contact(work, case, Said.UNREACHABLE, follow_up=1)
    amount = share(case.outstanding, work.rng.uniform(0.25, 0.6))
    notes = work.rng.choice(PROMISE_NOTES)
    await actions.promise(work, case, amount, due_in=work.rng.randint(3, 28), notes=notes)


async def promise_kept(work: Work, case: Case, n: int) -> None:
    """A part paid as promised, early: the promise is kept and commission earned."""
    amount = share(case.outstanding, work.rng.uniform(0.2, 0.5))
    notes = work.rng.choice(PROMISE_NOTES)
    await actions.promise(work, case, amount, due_in=work.rng.randint(2, 14), notes=notes)
    await actions.pay(work, case, amount)


async def paid_in_full(work: Work, case: Case, n: int) -> None:
    """The whole arrears promised and paid: the arrears part is done."""
    notes = "Customer will clear the whole balance to get reconnected"
    await actions.promise(work, case, case.outstanding, due_in=work.rng.randint(1, 7), notes=notes)
    bank = n % 2 == 0  # bank transfers are recorded by operator staff
    await actions.pay(
        work,
        case,
        case.outstanding,
        channel=PaymentChannel.BANK if bank else PaymentChannel.CASH,
        by=work.operator if bank else None,
    )


async def lump_sum(work: Work, case: Case, n: int) -> None:
    await contact(work, case, Said.SETTLEMENT_AGREED, notes="Will pay the full balance at once")
    await actions.lump_sum(
        work, case, case.outstanding, due_in=work.rng.randint(7, 21), by=work.officer(case)
    )


async def _discounted(work: Work, case: Case, *, due_in: int) -> Money:
    """The supervisor agrees a discount (an officer may not) for payment in one sum."""
    await contact(work, case, Said.SETTLEMENT_AGREED, notes="Asked for a discount to pay at once")
    percent = work.rng.choice((80, 85, 90))
    total = share(case.outstanding, percent / 100)
    note = f"{100 - percent}% discount agreed by the supervisor for one payment"
    await actions.lump_sum(work, case, total, due_in=due_in, by=work.supervisor(case), note=note)
    return total


async def discounted_lump_sum(work: Work, case: Case, n: int) -> None:
    await _discounted(work, case, due_in=work.rng.randint(10, 30))


async def lump_sum_paid(work: Work, case: Case, n: int) -> None:
    """Paid the discounted sum: the settlement completes and writes the discount off."""
    total = await _discounted(work, case, due_in=work.rng.randint(3, 10))
    await actions.pay(work, case, total, channel=PaymentChannel.BANK, by=work.operator)


async def plan_new(work: Work, case: Case, n: int) -> None:
    await contact(work, case, Said.SETTLEMENT_AGREED, notes="Agreed to pay monthly")
    parts = instalments(case.outstanding, work.rng.randint(3, 6))
    await actions.plan(work, case, parts, first_due=work.rng.randint(5, 20))


async def plan_paying(work: Work, case: Case, n: int) -> None:
    """A plan whose first instalments are already paid, ahead of their due days."""
    await contact(work, case, Said.SETTLEMENT_AGREED, notes="Agreed to pay monthly from salary")
    parts = instalments(case.outstanding, work.rng.randint(4, 8))
    await actions.plan(work, case, parts, first_due=work.rng.randint(1, 5))
    for part in parts[: 1 + n % 2]:
        await actions.pay(work, case, part, channel=PaymentChannel.MOBILE_MONEY)


async def withdrawn(work: Work, case: Case, n: int) -> None:
    """The customer paid at an operator branch, so operator staff withdraw the case."""
    await contact(work, case, Said.UNREACHABLE, follow_up=2)
    data = CaseWithdraw(reason="Customer settled the account directly at an operator branch")
    await cases.withdraw(actor=work.admin, case=await fresh(case), data=data)
