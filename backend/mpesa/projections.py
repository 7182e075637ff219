"""The STK pushes section of the officer's case document (Firestore): what became of
each prompt sent on the case lately, so the officer in the field sees it paid or not."""

from __future__ import annotations

from datetime import timedelta

from pydantic import AwareDatetime

from backend.cases.models import Case
from backend.cases.sections import CaseSection, Section, case_ids
from backend.core import clock
from backend.core.money import Money
from backend.core.projection import MirrorModel
from backend.mpesa import repository
from backend.mpesa.models import StkRequest, StkStatus

SHOWN_FOR = timedelta(days=7)
SHOWN_AT_MOST = 10


class StkPushPart(MirrorModel):
    id: str
    status: StkStatus
    amount: Money
    phone: str
    created_at: AwareDatetime
    closed_at: AwareDatetime | None


async def _recent(found: list[Case]) -> dict[str, list[StkRequest]]:
    """Each case's STK requests of the last week (those with any), newest first."""
    recent: dict[str, list[StkRequest]] = {}
    since = clock.now() - SHOWN_FOR
    for request in await repository.recent_of_cases(case_ids(found), since=since):
        if request.case_id is not None:
            recent.setdefault(request.case_id, []).append(request)
    return recent


def _pushes(case: Case, recent: dict[str, list[StkRequest]]) -> list[StkPushPart]:
    return [
        StkPushPart(
            id=str(r.id),
            status=r.status,
            amount=r.amount,
            phone=r.phone,
            created_at=r.created_at,
            closed_at=r.closed_at,
        )
        for r in recent.get(str(case.id), [])[:SHOWN_AT_MOST]
    ]


STK_PUSHES = CaseSection(
    Section.STK_PUSHES,
    list[StkPushPart],
    load=_recent,
    build=_pushes,
    description="M-PESA prompts sent on the case in the last week, newest first",
)
