"""A case's full story for its detail page: every domain's records, read through the
domain's own service (as the API's `/cases/{id}/...` routes read them), merged in time.

The case is loaded with `cases.get_for` first, so its reach is the API's; the audit trail is
read for operator staff only, as `GET /audit` is.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from backend.audit import service as audit
from backend.audit.schemas import AuditRead
from backend.cases.models import Case
from backend.cpe import service as cpe
from backend.cpe.schemas import CpeRead
from backend.mediation import service as mediation
from backend.mediation.schemas import MediationRead
from backend.negotiations import service as negotiations
from backend.negotiations.schemas import NegotiationRead, PromiseRead
from backend.notifications import contact
from backend.notifications.schemas import DeliveryRead
from backend.payments import service as payments
from backend.payments.schemas import PaymentRead
from backend.requests import service as requests
from backend.requests.schemas import OfficerRequestRead
from backend.settlements import service as settlements
from backend.settlements.schemas import SettlementRead
from backend.users.models import User

LIMIT = 100  # the newest records of each kind a page shows
KINDS = (
    "case",
    "negotiation",
    "promise",
    "payment",
    "settlement",
    "instalment",
    "cpe",
    "mediation",
    "hearing",
    "request",
    "notification",
    "audit",
)


@dataclass(frozen=True)
class Entry:
    """One moment of the case: its kind (a badge), a label with values, and free text
    as it was recorded."""

    at: datetime
    kind: str
    what: str  # its label is `tl.<what>`
    values: dict[str, str] = field(default_factory=dict)
    detail: str | None = None
    by: str | None = None

    @property
    def when(self) -> datetime:
        return self.at if self.at.tzinfo else self.at.replace(tzinfo=UTC)


@dataclass(frozen=True)
class CaseStory:
    """What the detail page shows beside the case itself."""

    entries: list[Entry]
    negotiations: list[NegotiationRead]
    payments: list[PaymentRead]
    settlements: list[SettlementRead]
    equipment: CpeRead
    board: MediationRead
    requests: list[OfficerRequestRead]
    deliveries: list[DeliveryRead]
    audit: list[AuditRead] | None  # None: not the caller's to read

    def counts(self) -> dict[str, int]:
        found = dict.fromkeys(KINDS, 0)
        for entry in self.entries:
            found[entry.kind] += 1
        return found


def _words(value: Any) -> str:
    """An enum value as words: `promise_to_pay` reads `promise to pay`."""
    return str(getattr(value, "value", value)).replace("_", " ")


async def story_of(*, actor: User, case: Case) -> CaseStory:
    """Every record about the case, each read through its own domain's service."""
    case_id = str(case.id)
    talks, paid, settled, equipment = await asyncio.gather(
        negotiations.list_negotiations(case=case, cursor=None, limit=LIMIT),
        payments.list_payments(case=case, cursor=None, limit=LIMIT),
        settlements.list_settlements(case=case),
        cpe.view(case=case),
    )
    board, raised, sent = await asyncio.gather(
        mediation.view(case=case),
        requests.list_for(
            actor=actor, status=None, kind=None, case_id=case_id, cursor=None, limit=LIMIT
        ),
        contact.list_deliveries(
            actor=actor,
            case_id=case_id,
            customer_id=None,
            channel=None,
            status=None,
            cursor=None,
            limit=LIMIT,
        ),
    )
    story = CaseStory(
        entries=[],
        negotiations=talks.items,
        payments=paid.items,
        settlements=settled,
        equipment=equipment,
        board=board,
        requests=raised.items,
        deliveries=sent.items,
        audit=await _audit(actor, case, talks.items, paid.items, settled, raised.items),
    )
    story.entries.extend(sorted(_entries(case, story), key=lambda e: e.when, reverse=True))
    return story


async def _audit(
    actor: User,
    case: Case,
    talks: list[NegotiationRead],
    paid: list[PaymentRead],
    settled: list[SettlementRead],
    raised: list[OfficerRequestRead],
) -> list[AuditRead] | None:
    """The audit records of the case and of each record hanging on it."""
    if not actor.is_operator:
        return None
    case_id = str(case.id)
    entities = {
        "case": [case_id],
        "cpe_collection": [case_id],
        "mediation_file": [case_id],
        "cpe_item": [f"{case_id}:{item.serial}" for item in case.cpe_items],
        "negotiation": [n.id for n in talks],
        "promise": [n.promise.id for n in talks if n.promise],
        "payment": [p.id for p in paid],
        "settlement": [s.id for s in settled],
        "officer_request": [r.id for r in raised],
    }
    return await audit.of_entities(actor=actor, entities=entities, limit=LIMIT)


def _entries(case: Case, story: CaseStory) -> Iterator[Entry]:
    for event in case.history:
        phase = _words(event.to_phase) if event.to_phase else "—"
        yield Entry(
            event.at,
            "case",
            "case",
            {"action": event.action, "phase": phase},
            event.note,
            event.actor_uid,
        )
    for talk in story.negotiations:
        yield from _negotiation(talk)
    for payment in story.payments:
        yield _payment(payment)
    for settlement in story.settlements:
        yield from _settlement(settlement)
    yield from _equipment(story.equipment)
    yield from _board(story.board)
    for request in story.requests:
        yield from _request(request)
    for delivery in story.deliveries:
        yield _delivery(delivery)
    yield from _audit_entries(story.audit or [])


def _negotiation(talk: NegotiationRead) -> Iterator[Entry]:
    values = {
        "channel": _words(talk.channel),
        "result": _words(talk.result),
        "outcome": _words(talk.outcome),
    }
    detail = " · ".join(text for text in (talk.dispute_reason, talk.notes) if text) or None
    yield Entry(talk.contacted_at, "negotiation", "negotiation", values, detail, talk.officer_id)
    if talk.promise:
        yield from _promise(talk.promise, talk.officer_id)


def _promise(promise: PromiseRead, officer_id: str) -> Iterator[Entry]:
    values = {"amount": str(promise.amount), "due": promise.due_date.isoformat()}
    yield Entry(promise.created_at, "promise", "promise", values, by=officer_id)
    if promise.kept_at:
        yield Entry(promise.kept_at, "promise", "promise_kept", values)
    if promise.broken_at:
        yield Entry(promise.broken_at, "promise", "promise_broken", values)


def _payment(payment: PaymentRead) -> Entry:
    values = {
        "amount": str(payment.amount),
        "channel": _words(payment.channel),
        "reference": payment.reference,
        "status": _words(payment.status),
    }
    return Entry(payment.paid_at, "payment", "payment", values, payment.note, payment.recorded_by)


def _settlement(settlement: SettlementRead) -> Iterator[Entry]:
    values = {
        "kind": _words(settlement.kind),
        "total": str(settlement.total),
        "count": str(len(settlement.instalments)),
    }
    by = settlement.created_by
    yield Entry(settlement.created_at, "settlement", "settlement", values, settlement.note, by)
    if settlement.completed_at:
        yield Entry(settlement.completed_at, "settlement", "settlement_completed", values)
    if settlement.defaulted_at:
        yield Entry(
            settlement.defaulted_at,
            "settlement",
            "settlement_defaulted",
            values,
            settlement.default_reason,
        )
    for part in settlement.instalments:
        shown = {"number": str(part.number), "amount": str(part.amount)}
        if part.paid_off_at:
            yield Entry(part.paid_off_at, "instalment", "instalment_paid", shown)
        if part.missed_at:
            yield Entry(part.missed_at, "instalment", "instalment_missed", shown)


def _equipment(equipment: CpeRead) -> Iterator[Entry]:
    for item in equipment.items:
        for step in item.history:
            values = {"serial": item.serial, "model": item.model, "status": _words(step.status)}
            yield Entry(step.at, "cpe", "cpe_item", values, step.condition, step.recorded_by)
    for approval in equipment.approvals:
        values = {"decision": _words(approval.decision), "serials": ", ".join(approval.serials)}
        yield Entry(approval.at, "cpe", "cpe_decision", values, approval.reason, approval.by)


def _board(board: MediationRead) -> Iterator[Entry]:
    for escalation in board.escalations:
        values = {"phase": _words(escalation.from_phase)}
        yield Entry(
            escalation.at, "mediation", "escalation", values, escalation.reason, escalation.by
        )
    for hearing in board.hearings:
        values = {"outcome": _words(hearing.outcome), "attendance": _words(hearing.attendance)}
        yield Entry(
            hearing.held_at, "hearing", "hearing", values, hearing.notes, hearing.recorded_by
        )
    for paper in board.submissions:
        values = {"type": _words(paper.type), "reference": paper.reference}
        yield Entry(
            paper.submitted_at, "mediation", "submission", values, paper.notes, paper.recorded_by
        )
    for decision in board.decisions:
        values = {
            "decision": _words(decision.decision),
            "kind": _words(decision.recommendation.kind),
        }
        yield Entry(
            decision.at, "mediation", "legal_decision", values, decision.reason, decision.by
        )


def _request(request: OfficerRequestRead) -> Iterator[Entry]:
    values = {"type": _words(request.type), "status": _words(request.status)}
    yield Entry(
        request.created_at, "request", "request", values, request.details, request.requested_by
    )
    if request.decision:
        decided = {**values, "decision": _words(request.decision.decision)}
        yield Entry(
            request.decision.at,
            "request",
            "request_decided",
            decided,
            request.decision.note,
            request.decision.by,
        )


def _delivery(delivery: DeliveryRead) -> Entry:
    values = {
        "channel": _words(delivery.channel),
        "kind": _words(delivery.kind),
        "status": _words(delivery.status),
        "to": delivery.to or delivery.user_id or "—",
    }
    return Entry(
        delivery.sent_at or delivery.created_at,
        "notification",
        "notification",
        values,
        delivery.reason,
    )


def _audit_entries(records: Iterable[AuditRead]) -> Iterator[Entry]:
    for record in records:
        values = {"action": record.action, "entity": _words(record.entity_type)}
        changed = ", ".join(sorted((record.after or {}).keys())) or None
        yield Entry(record.at, "audit", "audit", values, changed, record.actor_uid)
