"""Stories of cases with equipment to bring back: CPE-only ones, and arrears with CPE."""

from __future__ import annotations

from backend.cases.contacts import NegotiationOutcome as Said
from backend.cases.models import Case
from backend.cpe.schemas import RecordedStatus
from backend.devstack.demo import actions, stories
from backend.devstack.demo.actions import contact
from backend.devstack.demo.work import Work, fresh

COLLECTED = "Returned with power adapter and cables; working"


async def collected(work: Work, case: Case, n: int) -> None:
    """Every item back in hand: the CPE part waits for the RCMP's approval."""
    await actions.collect(work, case, RecordedStatus.COLLECTED, condition=COLLECTED)


async def returned(work: Work, case: Case, n: int) -> None:
    """Collected and approved: a CPE-only case closes."""
    await collected(work, case, n)
    await actions.rcmp_decides(work, case)


async def rejected(work: Work, case: Case, n: int) -> None:
    """Returned damaged, and the RCMP sent it back: the item is to be collected anew."""
    await actions.collect(
        work, case, RecordedStatus.DAMAGED, condition="Casing cracked; no power adapter"
    )
    reason = "Serial label does not match the unit handed in; collect the issued unit"
    await actions.rcmp_decides(work, case, reason=reason)


async def not_available(work: Work, case: Case, n: int) -> None:
    condition = "Customer was out; family would not hand over the device"
    await actions.collect(work, case, RecordedStatus.NOT_AVAILABLE, condition=condition)


async def lost(work: Work, case: Case, n: int) -> None:
    condition = "Customer says the device was lost in the floods"
    await actions.collect(work, case, RecordedStatus.LOST, condition=condition)


async def refused_return(work: Work, case: Case, n: int) -> None:
    notes = "Customer refuses to return the equipment until a billing complaint is answered"
    await contact(work, case, Said.REFUSED, notes=notes, follow_up=5 + n % 5)


async def promised_and_collected(work: Work, case: Case, n: int) -> None:
    """Arrears promised; the equipment already collected and awaiting approval."""
    await stories.promise_open(work, case, n)
    await collected(work, case, n)


async def returned_arrears_open(work: Work, case: Case, n: int) -> None:
    """Equipment approved (the CPE part is done) while the arrears are still promised."""
    await stories.promise_open(work, case, n)
    await returned(work, case, n)


async def paid_and_returned(work: Work, case: Case, n: int) -> None:
    """Arrears paid in full and the equipment approved: the case closes as recovered."""
    await stories.paid_in_full(work, case, n)
    await returned(work, await fresh(case), n)
