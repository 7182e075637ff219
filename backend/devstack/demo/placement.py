"""Cases in: the incident file through intake, allocation to DRCs, and distribution to
officers, leaving some in the pool and some with a DRC but no officer."""

from __future__ import annotations

from collections.abc import AsyncIterator

from backend.allocation import assignment
from backend.allocation import service as allocation
from backend.cases import service as cases
from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.core.settings import get_settings
from backend.devstack.demo import incidents
from backend.devstack.demo.people import DEMO_DRCS, slug
from backend.devstack.demo.work import Work
from backend.intake import service as intake
from backend.intake.models import IncidentBatch, IncidentSource

FILENAME = "bss-arrears-export.csv"
AWAITING_OFFICER = 4  # allocated cases per DRC left for the supervisor to hand out


async def _chunks(data: bytes, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def import_incidents(work: Work) -> IncidentBatch:
    """The BSS export, uploaded by operator staff as one bulk file."""
    text = incidents.csv_text(work.today, work.rng)
    batch = await intake.import_rows(
        actor=work.admin,
        source=IncidentSource.BULK_FILE,
        fmt="csv",
        filename=FILENAME,
        chunks=_chunks(text.encode()),
        settings=get_settings().intake,
    )
    if batch.rejected or batch.duplicates:
        shown = "; ".join(f"row {p.row}: {p.reason}" for p in batch.problems[:5])
        raise RuntimeError(f"the demo incident file was not taken whole: {shown}")
    return batch


async def allocate(work: Work) -> None:
    """Operator staff run allocation over the whole pool."""
    await allocation.allocate_pool(actor=work.operator, limit=incidents.INCIDENTS)


async def distribute(work: Work) -> None:
    """Each supervisor hands out all but a few of the DRC's cases by its preference."""
    for drc in DEMO_DRCS:
        supervisor = work.people[f"sup-{slug(drc.id)}"]
        waiting = await cases.ids_in_phase(actor=supervisor, phase=Phase.ALLOCATED)
        handed = len(waiting) - AWAITING_OFFICER
        if handed > 0:  # a limit of 0 would mean "no limit" to the query
            await assignment.distribute(actor=supervisor, drc_id=None, limit=handed)


async def assigned_cases(work: Work) -> list[Case]:
    """The cases officers now hold, in account order (stable from run to run)."""
    return await cases.list_in_reach(
        actor=work.admin,
        filters={"phase": Phase.ASSIGNED.value},
        sort=[("account_id", 1)],
        limit=incidents.INCIDENTS,
    )
