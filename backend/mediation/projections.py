"""The board file section of the officer's case document (Firestore)."""

from __future__ import annotations

from pydantic import AwareDatetime, Field

from backend.cases.models import Case
from backend.cases.sections import CaseSection, Section, case_ids
from backend.core.projection import MirrorModel
from backend.mediation import repository
from backend.mediation.models import HearingOutcome, MediationFile, RecommendationKind


class MediationPart(MirrorModel):
    next_hearing_at: AwareDatetime | None
    hearings: int
    last_hearing_at: AwareDatetime | None
    last_outcome: HearingOutcome | None
    recommendation: RecommendationKind | None = Field(
        description="Legal action or write-off, awaiting the operator"
    )


async def _files(found: list[Case]) -> dict[str, MediationFile]:
    """The board files of the cases (those with one), in one query."""
    return {f.id: f for f in await repository.many(case_ids(found))}


def _mediation(case: Case, files: dict[str, MediationFile]) -> MediationPart | None:
    file = files.get(str(case.id))
    if file is None:
        return None
    last = file.hearings[-1] if file.hearings else None
    return MediationPart(
        next_hearing_at=file.next_hearing_at,
        hearings=len(file.hearings),
        last_hearing_at=last.held_at if last else None,
        last_outcome=last.outcome if last else None,
        recommendation=file.recommendation.kind if file.recommendation else None,
    )


MEDIATION = CaseSection(
    Section.MEDIATION,
    MediationPart | None,
    load=_files,
    build=_mediation,
    description="The board file, once escalated",
)
