"""What officers may do at the board offline (policies: backend/cases/mutations.py)."""

from __future__ import annotations

from backend.cases.mutations import CaseMutation, OnCase, applied, calling, case_of, on_case
from backend.cases.phases import Phase
from backend.mediation import service
from backend.mediation.schemas import HearingCreate, MediationEscalate, SubmissionCreate
from sync.protocol import Resolution, Rule, Winner
from sync.registry import Applied, Policy

# Phases a case reaches after mediation starts: escalating again meets them as "further".
_PAST_ESCALATION = frozenset({Phase.MEDIATION, Phase.LEGAL_REVIEW, Phase.CLOSED})


async def _escalate(call: OnCase[MediationEscalate]) -> Applied:
    """Escalate, or keep the case where it is when it already went further."""
    case = case_of(call)
    if case.phase in _PAST_ESCALATION:
        resolution = Resolution(
            field="phase",
            rule=Rule.FURTHEST,
            winner=Winner.SERVER,
            client_value=Phase.MEDIATION.value,
            server_value=case.phase.value,
        )
        return applied(call, [resolution])
    return await calling(service.escalate)(call)


RECORD_HEARING = CaseMutation(
    "mediation.record_hearing",
    args=on_case(HearingCreate),
    policy=Policy.APPEND_ONLY,
    summary="Record a mediation board hearing",
    apply=calling(service.record_hearing),
)
SUBMIT = CaseMutation(
    "mediation.submit",
    args=on_case(SubmissionCreate),
    policy=Policy.APPEND_ONLY,
    summary="Record a document or statement handed to the board",
    apply=calling(service.record_submission),
)
ESCALATE = CaseMutation(
    "mediation.escalate",
    args=on_case(MediationEscalate),
    policy=Policy.FORWARD_ONLY,
    summary="Escalate the case to the mediation board",
    apply=_escalate,
)
