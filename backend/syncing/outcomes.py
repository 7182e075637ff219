"""`ro/{uid}/outcomes/{clientId}:{mutationId}`: what the mirror writes to Firestore about
each pushed mutation (mobile_contract/firestore/README.md).

An outcome document is a function of the stored answer and review only (no clock), so a
rebuild gives the same document.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import AwareDatetime, Field

from backend.core.projection import MirrorModel
from sync.models import MutationRecord
from sync.protocol import Resolution, Status, Winner


class OutcomeStatus(StrEnum):
    """What became of a pushed mutation, as the app shows it.

    Without a review: `applied` (done as asked); `merged` (done, a conflict settled by
    its field's rule, see `resolutions`); `in_review` (done, but a field's clash waits
    for a supervisor: a resolution with winner `pending`); `rejected` (refused for good,
    see `code`); `quarantined` (the sender no longer held the target). Rejected and
    quarantined mutations wait in the supervisor's review inbox (`review_open`).
    After a review: `reapplied` (a supervisor applied it after all) or `dismissed`.
    `pending` is the app's own state before any answer; the mirror writes it for a
    stored `retry` answer only, which the engine does not store today.
    """

    PENDING = "pending"
    APPLIED = "applied"
    MERGED = "merged"
    IN_REVIEW = "in_review"
    REJECTED = "rejected"
    QUARANTINED = "quarantined"
    REAPPLIED = "reapplied"
    DISMISSED = "dismissed"


class OutcomeDocument(MirrorModel):
    """`ro/{uid}/outcomes/{clientId}:{mutationId}`: what became of one pushed mutation.

    `version` is 1 for the engine's answer and 2 once a reviewer decided; `updated_at`
    is when the latest of the two happened. Date-times are Firestore timestamps.
    """

    client_id: str
    mutation_id: int
    name: str
    status: OutcomeStatus
    result_status: Status = Field(description="The engine's answer, as push returned it")
    code: str | None
    message: str | None
    resolutions: list[Resolution]
    entity: str | None
    server_version: int | None
    review_open: bool = Field(description="Waits in a supervisor's review inbox")
    review_note: str | None = None
    reviewed_at: AwareDatetime | None = None
    at: AwareDatetime = Field(description="When the engine answered")
    version: int
    updated_at: AwareDatetime


def _outcome_status(record: MutationRecord) -> OutcomeStatus:
    if record.review is not None:
        return OutcomeStatus(record.review.status)
    status = record.result.status
    if status is Status.RETRY:
        return OutcomeStatus.PENDING
    if status is Status.MERGED and any(
        r.winner is Winner.PENDING for r in record.result.resolutions
    ):
        return OutcomeStatus.IN_REVIEW
    return OutcomeStatus(status.value)


def outcome_document(record: MutationRecord) -> OutcomeDocument:
    """The outcome document of one stored mutation answer (and its review, if any)."""
    status = _outcome_status(record)
    review = record.review
    result = review.result if review is not None and review.result is not None else record.result
    held = status in (OutcomeStatus.IN_REVIEW, OutcomeStatus.REJECTED, OutcomeStatus.QUARANTINED)
    return OutcomeDocument(
        client_id=record.client_id,
        mutation_id=record.mutation_id,
        name=record.name,
        status=status,
        result_status=record.result.status,
        code=record.result.code,
        message=record.result.message,
        resolutions=record.result.resolutions,
        entity=result.entity or record.result.entity,
        server_version=result.server_version,
        review_open=held and record.result.review_id is not None,
        review_note=review.note if review else None,
        reviewed_at=review.at if review else None,
        at=record.at,
        version=2 if review else 1,
        updated_at=review.at if review else record.at,
    )
