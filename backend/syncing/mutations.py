"""Every officer action the app may queue offline, registered with the sync engine.

Each mutation's arguments are the matching API body plus `case_id`; the handler calls
the same domain service as the API route, inside the engine's transaction. Conflict
policies (README "Offline sync"):

- append-only: negotiation.record, payment.record, mediation.record_hearing,
  mediation.submit, request.create, settlement.propose. New records never conflict;
  the domain's own rules (a closed case, a duplicate reference) still refuse them.
- forward-only: cpe.record_item (an item's status), mediation.escalate (the case's
  phase). Meeting a further state is a merge that keeps the furthest one.
- field merge: customer.update_contact, per contact field (backend/customers/merge.py).
- authority, for all: a case no longer held by the sending officer quarantines the
  mutation for review.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from pydantic import BaseModel, Field, create_model
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.cases import service as cases
from backend.cases.errors import CaseNotFound
from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.core.schemas import RequestModel
from backend.cpe import service as cpe
from backend.cpe.errors import CpeRegression
from backend.cpe.schemas import CpeItemRecord
from backend.customers import service as customers
from backend.customers.schemas import ContactChange
from backend.mediation import service as mediation
from backend.mediation.schemas import HearingCreate, MediationEscalate, SubmissionCreate
from backend.negotiations import service as negotiations
from backend.negotiations.schemas import NegotiationCreate
from backend.payments import service as payments
from backend.payments.schemas import PaymentCreate
from backend.requests import service as requests
from backend.requests.schemas import OfficerRequestCreate
from backend.settlements import service as settlements
from backend.settlements.schemas import SettlementCreate
from backend.users.models import Role, User
from sync.errors import NotHolder
from sync.protocol import Resolution, Rule, Winner
from sync.registry import Applied, Apply, Call, Policy, Registry, Target

CaseRef = Annotated[str, Field(pattern=r"^[0-9a-f]{24}$", description="The case acted on")]

# Phases a case reaches after mediation starts: escalating again meets them as "further".
_PAST_ESCALATION = frozenset({Phase.MEDIATION, Phase.LEGAL_REVIEW, Phase.CLOSED})


async def locate_case(actor: User, args: Any, session: AsyncClientSession) -> Target:
    """The case named by `case_id`. An officer who no longer holds it is quarantined."""
    case = await cases.get_unscoped(args.case_id, session=session)
    if case is None:
        raise CaseNotFound(f"No case {args.case_id}")
    if not cases.can_see(actor, case):
        if actor.role is not Role.RECOVERY_OFFICER:
            raise CaseNotFound(f"No case {args.case_id}")
        raise NotHolder(
            f"Case {args.case_id} is no longer assigned to you", entity=f"case:{case.id}"
        )
    return Target(
        entity="case", id=str(case.id), drc_id=case.drc_id, version=case.version, value=case
    )


def _case(call: Call) -> Case:
    return call.target.value


def _applied(call: Call, resolutions: list[Resolution] | None = None) -> Applied:
    return Applied(version=_case(call).version, resolutions=resolutions or [])


def _on_case(body: type[BaseModel]) -> type[BaseModel]:
    """The mutation's arguments: the API route's body plus the case it acts on (a subclass,
    so the validated arguments are the use case's body as they are)."""
    return create_model(f"{body.__name__}Args", __base__=body, case_id=(CaseRef, ...))


class ContactArgs(RequestModel):
    """Contact changes to the case's customer, made against the customer `base_version`."""

    case_id: CaseRef
    changes: list[ContactChange] = Field(min_length=1, max_length=20)


def _calling(use_case: Callable[..., Awaitable[Any]]) -> Apply:
    """A handler that hands the arguments to a use case on the loaded case as its body."""

    async def apply(call: Call) -> Applied:
        await use_case(actor=call.actor, case=_case(call), data=call.args, session=call.session)
        return _applied(call)

    return apply


# name, API body, summary, use case: the mutations that are an API route as such
_APPEND_ONLY = (
    (
        "negotiation.record",
        NegotiationCreate,
        "Record a contact with the customer (and any promise to pay)",
        negotiations.record_negotiation,
    ),
    (
        "settlement.propose",
        SettlementCreate,
        "Agree a lump sum or an instalment plan",
        settlements.create_settlement,
    ),
    (
        "payment.record",
        PaymentCreate,
        "Record a payment collected in the field",
        payments.record_payment,
    ),
    (
        "mediation.record_hearing",
        HearingCreate,
        "Record a mediation board hearing",
        mediation.record_hearing,
    ),
    (
        "mediation.submit",
        SubmissionCreate,
        "Record a document or statement handed to the board",
        mediation.record_submission,
    ),
    (
        "request.create",
        OfficerRequestCreate,
        "Ask the supervisor or the operator for something on the case",
        requests.create,
    ),
)


def register(registry: Registry) -> None:
    """Register every officer mutation with `registry`."""
    for name, body, summary, use_case in _APPEND_ONLY:
        register_as = registry.mutation(
            name,
            args=_on_case(body),
            policy=Policy.APPEND_ONLY,
            locate=locate_case,
            summary=summary,
        )
        register_as(_calling(use_case))

    @registry.mutation(
        "cpe.record_item",
        args=_on_case(CpeItemRecord),
        policy=Policy.FORWARD_ONLY,
        locate=locate_case,
        summary="Record a visit's result for one equipment item",
    )
    async def record_item(call: Call) -> Applied:
        data = call.args
        try:
            await cpe.record_item(
                actor=call.actor, case=_case(call), data=data, session=call.session
            )
        except CpeRegression as kept:
            return _applied(call, [_furthest(f"cpe.{data.serial}.status", data.status, kept)])
        return _applied(call)

    @registry.mutation(
        "mediation.escalate",
        args=_on_case(MediationEscalate),
        policy=Policy.FORWARD_ONLY,
        locate=locate_case,
        summary="Escalate the case to the mediation board",
    )
    async def escalate(call: Call) -> Applied:
        case = _case(call)
        if case.phase in _PAST_ESCALATION:
            resolution = Resolution(
                field="phase",
                rule=Rule.FURTHEST,
                winner=Winner.SERVER,
                client_value=Phase.MEDIATION.value,
                server_value=case.phase.value,
            )
            return _applied(call, [resolution])
        return await _calling(mediation.escalate)(call)

    @registry.mutation(
        "customer.update_contact",
        args=ContactArgs,
        policy=Policy.FIELD_MERGE,
        locate=locate_case,
        summary="Add, correct or remove the customer's contacts",
    )
    async def update_contact(call: Call) -> Applied:
        assert call.mutation.base_version is not None  # the engine requires it
        customer, resolutions = await customers.merge_contacts(
            actor=call.actor,
            case=_case(call),
            changes=call.args.changes,
            base_version=call.mutation.base_version,
            device_time=call.mutation.device_time,
            session=call.session,
        )
        return Applied(
            version=customer.version, resolutions=resolutions, entity=f"customer:{customer.id}"
        )


def _furthest(field: str, wanted: Any, kept: CpeRegression) -> Resolution:
    return Resolution(
        field=field,
        rule=Rule.FURTHEST,
        winner=Winner.SERVER,
        client_value=getattr(wanted, "value", wanted),
        server_value=kept.extra.get("current"),
    )
