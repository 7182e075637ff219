"""The pending requests section of the officer's case document (Firestore)."""

from __future__ import annotations

from pydantic import AwareDatetime

from backend.cases.models import Case
from backend.cases.sections import CaseSection, Section, case_ids
from backend.core.projection import MirrorModel
from backend.requests import repository
from backend.requests.models import OfficerRequest, RequestType


class RequestPart(MirrorModel):
    id: str
    type: RequestType
    created_at: AwareDatetime
    requested_until: AwareDatetime | None
    details: str | None


async def _pending(found: list[Case]) -> dict[str, list[OfficerRequest]]:
    """Pending requests per case (those with any), oldest first, in one query."""
    pending: dict[str, list[OfficerRequest]] = {}
    for request in await repository.pending_of_cases(case_ids(found)):
        pending.setdefault(request.case_id, []).append(request)
    return pending


def _requests(case: Case, pending: dict[str, list[OfficerRequest]]) -> list[RequestPart]:
    return [
        RequestPart(
            id=str(r.id),
            type=r.type,
            created_at=r.created_at,
            requested_until=r.requested_until,
            details=r.details,
        )
        for r in pending.get(str(case.id), [])
    ]


REQUESTS = CaseSection(
    Section.REQUESTS,
    list[RequestPart],
    load=_pending,
    build=_requests,
    description="Pending requests, oldest first",
)
