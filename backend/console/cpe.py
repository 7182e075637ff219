"""Returned equipment awaiting the RCMP's approval, decided by operator staff.

Listed with the case list's query (`GET /cases?cpe_status=awaiting_approval`) and
decided through the equipment service, as `POST /cases/{id}/cpe/approval` is.
"""

from __future__ import annotations

from typing import Any

from backend.cases.models import Case, PartStatus
from backend.cases.queries import CaseFilters
from backend.console import queues
from backend.cpe import service as cpe
from backend.cpe.schemas import CpeApprovalCreate

QUEUE = queues.Queue("cpe", operator_only=True, fields_of={"cpe.reason_required": "reason"})


async def _details(case: Case) -> dict[str, Any]:
    """Each item as the officer recorded it, and whether it still waits."""
    waiting = case.cpe_status is PartStatus.AWAITING_APPROVAL
    return {"equipment": await cpe.view(case=case), "waiting": waiting}


router = queues.CaseQueue(
    QUEUE,
    filters=CaseFilters(cpe_status=PartStatus.AWAITING_APPROVAL),
    model=CpeApprovalCreate,
    details=_details,
    decide=cpe.decide,
).routes()
