"""The negotiation history and promises sections of the officer's case document."""

from __future__ import annotations

from datetime import date

from pydantic import AwareDatetime, Field

from backend.cases.contacts import (
    RECENT_CONTACTS,
    ContactChannel,
    ContactDigest,
    ContactResult,
    NegotiationOutcome,
)
from backend.cases.models import Case
from backend.cases.sections import CaseSection, Section, case_ids
from backend.core.money import Money
from backend.core.projection import MirrorModel
from backend.negotiations import repository
from backend.negotiations.models import Promise


class NegotiationBrief(MirrorModel):
    id: str
    contacted_at: AwareDatetime
    channel: ContactChannel
    result: ContactResult
    outcome: NegotiationOutcome
    officer_id: str
    notes: str | None
    promised: Money | None = None


class NegotiationHistory(MirrorModel):
    count: int
    last_contacted_at: AwareDatetime | None = None
    last_channel: ContactChannel | None = None
    last_result: ContactResult | None = None
    last_outcome: NegotiationOutcome | None = None
    recent: list[NegotiationBrief] = Field(
        default=[], description=f"The latest {RECENT_CONTACTS} records, newest first"
    )


class PromisePart(MirrorModel):
    id: str
    amount: Money
    due_date: date
    paid: Money


async def digests_for(found: list[Case]) -> dict[str, ContactDigest]:
    """Per case (those with records): the record count and the latest few, newest first.

    The digest kept on the case, or for a case without one (no contact recorded since
    digests are kept) one counted from its records."""
    digests = {str(c.id): c.contacts for c in found if c.contacts is not None}
    missing = [str(c.id) for c in found if c.contacts is None]
    if missing:
        digests.update(await repository.digests_from_records(missing))
    return digests


def _history(case: Case, digests: dict[str, ContactDigest]) -> NegotiationHistory:
    digest = digests.get(str(case.id))
    if digest is None:
        return NegotiationHistory(count=0)
    last = digest.recent[0] if digest.recent else None
    history = {
        "count": digest.total,
        "last_contacted_at": last.contacted_at if last else None,
        "last_channel": last.channel if last else None,
        "last_result": last.result if last else None,
        "last_outcome": last.outcome if last else None,
        "recent": digest.recent,  # each brief read by its attributes
    }
    return NegotiationHistory.model_validate(history, from_attributes=True)


async def _open_promises(found: list[Case]) -> dict[str, list[Promise]]:
    """Open promises per case (those with any), soonest due first, in one query."""
    promises: dict[str, list[Promise]] = {}
    for promise in await repository.open_promises_of(case_ids(found)):
        promises.setdefault(promise.case_id, []).append(promise)
    return promises


def _promises(case: Case, promises: dict[str, list[Promise]]) -> list[PromisePart]:
    return [
        PromisePart(id=str(p.id), amount=p.amount, due_date=p.due_date, paid=p.paid)
        for p in promises.get(str(case.id), [])
    ]


NEGOTIATIONS = CaseSection(
    Section.NEGOTIATIONS, NegotiationHistory, load=digests_for, build=_history
)
PROMISES = CaseSection(
    Section.PROMISES,
    list[PromisePart],
    load=_open_promises,
    build=_promises,
    description="Open promises, soonest due first",
)
