"""Officer requests: mediation board letters, validity extensions, anything else.

Who decides what:
- validity_extension: operator staff only. The validity period is the operator's
  allocation term with the DRC, so the DRC may not lengthen its own hold on a case.
- mediation_board_letter: operator staff only; the letter is issued by the operator,
  and approving records the issued letter's reference.
- other: the supervisor of the DRC holding the case, or operator staff.
Nobody decides a request they raised themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.errors import CaseClosed, CaseNotFound
from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.cases.sections import Section
from backend.core import clock, db
from backend.core.pagination import Page, object_id_cursor
from backend.notifications import service as notifications
from backend.requests import repository
from backend.requests.errors import (
    DetailsRequired,
    ExtensionDateRequired,
    ExtensionNotLater,
    ExtensionStale,
    ExtensionTooFar,
    LetterReferenceRequired,
    NotApprover,
    NoteRequired,
    RequestAlreadyDecided,
    RequestInconsistent,
    RequestNotFound,
)
from backend.requests.models import (
    ONE_PENDING,
    Decision,
    OfficerRequest,
    RequestDecision,
    RequestStatus,
    RequestType,
)
from backend.requests.schemas import (
    OfficerRequestCreate,
    OfficerRequestRead,
    RequestDecisionCreate,
)
from backend.users.models import Role, User

# The longest a validity extension may reach past the case's current validity end.
MAX_EXTENSION = timedelta(days=90)
OPERATOR_DECIDES = frozenset({RequestType.VALIDITY_EXTENSION, RequestType.MEDIATION_BOARD_LETTER})


def scope_filter(actor: User) -> dict[str, Any]:
    """Officers see the requests they raised, supervisors their DRC's, operator staff all."""
    if actor.is_operator:
        return {}
    if actor.role is Role.DRC_SUPERVISOR:
        return {"drc_id": actor.drc_id}
    return {"requested_by": actor.id}


async def get_for(*, actor: User, request_id: str) -> OfficerRequest:
    """The request if the actor may see it; otherwise RequestNotFound."""
    request = await repository.get(request_id)
    if request is None or not _can_see(actor, request):
        raise RequestNotFound(f"No request {request_id}")
    return request


async def create(
    *,
    actor: User,
    case: Case,
    data: OfficerRequestCreate,
    session: AsyncClientSession | None = None,
) -> OfficerRequestRead:
    """The holding officer or their supervisor asks for something on an open case."""
    cases.require_worker(actor, case)
    _check_create(case, data)
    request = OfficerRequest(
        case_id=str(case.id),
        drc_id=case.drc_id,
        ro_id=case.ro_id,
        type=data.type,
        details=data.details,
        requested_until=data.requested_until,
        validity_until=case.validity_until,
        requested_by=actor.id,
        requested_by_role=actor.role.value,
        pending_key=f"{case.id}|{data.type.value}" if data.type in ONE_PENDING else None,
    )
    async with db.transaction(session) as session:
        await repository.insert(request, session=session)
        await _audit(actor, request, "request.create", session=session)
    return read(request)


async def list_for(
    *,
    actor: User,
    status: RequestStatus | None,
    kind: RequestType | None,
    case_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[OfficerRequestRead]:
    """Requests within the actor's reach, newest first, one page at a time."""
    filters: dict[str, Any] = {}
    for name, value in (("status", status), ("type", kind), ("case_id", case_id)):
        if value is not None:
            filters[name] = getattr(value, "value", value)
    filters.update(scope_filter(actor))
    rows = await repository.page(filters, after=object_id_cursor(cursor), limit=limit + 1)
    items = [read(r) for r in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)


async def decide(
    *, actor: User, request_id: str, data: RequestDecisionCreate
) -> OfficerRequestRead:
    """Approve or reject a pending request; an approved extension moves validity_until."""
    request = await get_for(actor=actor, request_id=request_id)
    _require_decider(actor, request)
    _check_decision(request, data)
    approving = data.decision is Decision.APPROVE
    async with db.transaction() as session:
        case = await _case_to_decide(actor, request, session=session)
        if approving and case.phase is Phase.CLOSED:
            raise CaseClosed(f"Case {case.id} is closed; the request can only be rejected")
        decision = RequestDecision(
            decision=data.decision,
            note=data.note,
            letter_reference=data.letter_reference,
            by=actor.id,
            role=actor.role.value,
        )
        status = RequestStatus.APPROVED if approving else RequestStatus.REJECTED
        await repository.decide(request, status, decision, session=session)
        await _audit(actor, request, f"request.{data.decision.value}", session=session)
        if approving and request.type is RequestType.VALIDITY_EXTENSION:
            await _extend_validity(actor, case, request, session=session)
        pending = await notifications.request_decided(
            actor=actor,
            case=case,
            requested_by=request.requested_by,
            request_type=request.type.value,
            approved=approving,
            note=data.note,
            session=session,
        )
    await notifications.dispatch(pending)
    return read(request)


async def reject_moot(*, batch: int = 500) -> int:
    """Reject pending requests whose case has closed: nothing can be granted on it now."""
    rejected, after = 0, None
    while rows := await repository.pending_after(after, limit=batch):
        after = rows[-1].id
        closed = await cases.closed_ids([r.case_id for r in rows])
        for request in (r for r in rows if r.case_id in closed):
            rejected += await _reject_as_system(request, "the case closed before a decision")
    return rejected


async def _reject_as_system(request: OfficerRequest, note: str) -> int:
    decision = RequestDecision(decision=Decision.REJECT, note=note, by="system", role="system")
    try:
        async with db.transaction() as session:
            await repository.decide(request, RequestStatus.REJECTED, decision, session=session)
            await _audit(None, request, "request.reject_moot", session=session)
    except RequestAlreadyDecided:
        return 0  # decided by someone meanwhile
    return 1


def _can_see(actor: User, request: OfficerRequest) -> bool:
    return all(getattr(request, k) == v for k, v in scope_filter(actor).items())


def _check_create(case: Case, data: OfficerRequestCreate) -> None:
    extension = data.type is RequestType.VALIDITY_EXTENSION
    if not extension and data.requested_until is not None:
        raise RequestInconsistent("Only a validity extension takes requested_until")
    if data.type is RequestType.OTHER and data.details is None:
        raise DetailsRequired("Say what is requested in details")
    if extension:
        _check_extension(case, data.requested_until)


def _check_extension(case: Case, requested: datetime | None) -> None:
    if requested is None:
        raise ExtensionDateRequired("Give the new validity end in requested_until")
    current = case.validity_until
    if current is not None and requested <= current:
        raise ExtensionNotLater(
            "The requested date must be later than the current validity end",
            validity_until=current.isoformat(),
        )
    base = max(current or clock.now(), clock.now())
    if requested > base + MAX_EXTENSION:
        raise ExtensionTooFar(
            f"An extension may reach at most {MAX_EXTENSION.days} days past the current end",
            max_days=MAX_EXTENSION.days,
        )


def may_decide(actor: User, request: OfficerRequest) -> bool:
    """Whether the actor may decide the request (its reach is checked by `get_for`)."""
    try:
        _require_decider(actor, request)
    except NotApprover:
        return False
    return True


def _require_decider(actor: User, request: OfficerRequest) -> None:
    if actor.id == request.requested_by:
        raise NotApprover("A request is decided by someone other than who raised it")
    if actor.is_operator:
        return
    if actor.role is not Role.DRC_SUPERVISOR or request.type in OPERATOR_DECIDES:
        raise NotApprover(f"{request.type} requests are decided by operator staff")


async def _case_to_decide(
    actor: User, request: OfficerRequest, *, session: AsyncClientSession
) -> Case:
    """The request's case, which a supervisor's DRC must still hold."""
    try:
        return await cases.get_for(actor=actor, case_id=request.case_id, session=session)
    except CaseNotFound as exc:
        raise NotApprover("The case is no longer held by your DRC") from exc


def _check_decision(request: OfficerRequest, data: RequestDecisionCreate) -> None:
    letter = request.type is RequestType.MEDIATION_BOARD_LETTER
    if data.decision is Decision.REJECT and data.note is None:
        raise NoteRequired("Say why the request is rejected")
    if data.letter_reference is not None and not (letter and data.decision is Decision.APPROVE):
        raise RequestInconsistent("Only an approved board letter takes letter_reference")
    if letter and data.decision is Decision.APPROVE and data.letter_reference is None:
        raise LetterReferenceRequired("Give the issued letter's reference")


async def _extend_validity(
    actor: User, case: Case, request: OfficerRequest, *, session: AsyncClientSession
) -> None:
    """Move the case's validity end, so the allocation recall sees the new date."""
    assert request.requested_until is not None
    if case.validity_until is not None and request.requested_until <= case.validity_until:
        raise ExtensionStale("The case's validity already reaches the requested date")
    await cases.update(
        actor=actor,
        case=case,
        action="case.validity_extend",
        changes={"validity_until": request.requested_until},
        note=f"validity extended on request {request.id}",
        session=session,
    )


async def _audit(
    actor: User | None, request: OfficerRequest, action: str, *, session: AsyncClientSession
) -> None:
    await audit.record(
        actor=actor,
        action=action,
        entity_type="officer_request",
        entity_id=str(request.id),
        after=_summary(request),
        drc_id=request.drc_id,
        session=session,
    )
    await cases.touch_id(
        request.case_id, action=action, sections=[Section.REQUESTS], session=session
    )


def _summary(request: OfficerRequest) -> dict[str, Any]:
    return request.model_dump(
        mode="json", include={"case_id", "type", "status", "requested_until", "decision"}
    )


def read(request: OfficerRequest) -> OfficerRequestRead:
    return OfficerRequestRead.model_validate({**request.model_dump(), "id": str(request.id)})
