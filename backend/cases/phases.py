"""The case's phase state machine: which moves are legal, and nothing else."""

from __future__ import annotations

from enum import StrEnum


class Phase(StrEnum):
    NEW = "new"  # in the pool, no DRC
    ALLOCATED = "allocated"  # held by a DRC, no officer yet
    ASSIGNED = "assigned"  # an officer holds it, no contact recorded
    NEGOTIATION = "negotiation"
    SETTLEMENT = "settlement"  # settlement agreed or instalment plan running
    MEDIATION = "mediation"  # before the mediation board
    LEGAL_REVIEW = "legal_review"  # legal or write-off recommended, awaiting the operator
    CLOSED = "closed"


OPEN_PHASES = frozenset(Phase) - {Phase.CLOSED}
OPEN_VALUES = sorted(p.value for p in OPEN_PHASES)  # for `{"phase": {"$in": ...}}`
# Phases a DRC holds the case in; its validity period runs only in these. Settlement
# plans and mediation have their own clocks, so they are not recalled.
RECALLABLE = frozenset({Phase.ALLOCATED, Phase.ASSIGNED, Phase.NEGOTIATION})
WITH_OFFICER = frozenset(
    {Phase.ASSIGNED, Phase.NEGOTIATION, Phase.SETTLEMENT, Phase.MEDIATION, Phase.LEGAL_REVIEW}
)

TRANSITIONS: dict[Phase, frozenset[Phase]] = {
    Phase.NEW: frozenset({Phase.ALLOCATED, Phase.CLOSED}),
    Phase.ALLOCATED: frozenset({Phase.ASSIGNED, Phase.NEW, Phase.CLOSED}),
    Phase.ASSIGNED: frozenset({Phase.NEGOTIATION, Phase.ALLOCATED, Phase.NEW, Phase.CLOSED}),
    Phase.NEGOTIATION: frozenset({Phase.SETTLEMENT, Phase.MEDIATION, Phase.NEW, Phase.CLOSED}),
    Phase.SETTLEMENT: frozenset({Phase.NEGOTIATION, Phase.MEDIATION, Phase.CLOSED}),
    Phase.MEDIATION: frozenset({Phase.SETTLEMENT, Phase.LEGAL_REVIEW, Phase.CLOSED}),
    Phase.LEGAL_REVIEW: frozenset({Phase.MEDIATION, Phase.CLOSED}),
    Phase.CLOSED: frozenset(),
}


def allowed(current: Phase, target: Phase) -> bool:
    return target in TRANSITIONS[current]
