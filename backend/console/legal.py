"""Cases in legal review: the board's recommendation (legal action or write-off),
approved or rejected by operator staff.

Listed with the case list's query (`GET /cases?phase=legal_review`) and decided through
the mediation service, as `POST /cases/{id}/legal-review/decision` is.
"""

from __future__ import annotations

from typing import Any

from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.cases.queries import CaseFilters
from backend.console import queues
from backend.mediation import service as mediation
from backend.mediation.schemas import LegalReviewDecision

QUEUE = queues.Queue("legal", operator_only=True, fields_of={"mediation.reason_required": "reason"})


async def _details(case: Case) -> dict[str, Any]:
    """The recommendation and the hearings behind it, and whether it still waits."""
    board = await mediation.view(case=case)
    waiting = case.phase is Phase.LEGAL_REVIEW and board.recommendation is not None
    return {"board": board, "waiting": waiting}


router = queues.CaseQueue(
    QUEUE,
    filters=CaseFilters(phases=[Phase.LEGAL_REVIEW]),
    model=LegalReviewDecision,
    details=_details,
    decide=mediation.decide_legal_review,
).routes()
