"""What every sync mutation on a case shares: its target, its arguments and its effect.

Each domain declares the mutations officers may queue offline in its own `mutations.py`;
backend/domains.py lists them for the engine. A mutation's arguments are the matching API
body plus `case_id` (a subclass of the body, so the validated arguments are the use case's
`data` as they are); its handler calls the same use case as the API route, on the case
`locate_case` loaded, inside the engine's transaction. Conflict policies (README
"Offline sync"):

- append-only: negotiation.record, payment.record, payment.stk_push,
  mediation.record_hearing, mediation.submit, request.create, settlement.propose,
  dispute.raise. New records never conflict; the domain's own rules (a closed case, a
  duplicate reference) still refuse them.
- forward-only: cpe.record_item (an item's status), mediation.escalate (the case's
  phase). Meeting a further state is a merge that keeps the furthest one.
- field merge: customer.update_contact, per contact field (backend/customers/merge.py).
- authority, for all: a case no longer held by the sending officer quarantines the
  mutation for review.
"""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Annotated, Any, Protocol, TypeAlias, TypeVar

from pydantic import BaseModel, Field, create_model
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.cases import service as cases
from backend.cases.errors import CaseNotFound
from backend.cases.models import Case
from backend.users.models import Role, User
from sync.errors import NotHolder
from sync.protocol import Resolution
from sync.registry import Applied, Apply, Call, Policy, Registry, Target

CaseRef = Annotated[str, Field(pattern=r"^[0-9a-f]{24}$", description="The case acted on")]

Body = TypeVar("Body", bound=BaseModel)
# What a handler of a mutation on a case gets: the sender, the arguments (the API body
# and `case_id`), the case `locate_case` loaded; and the handler itself.
OnCase: TypeAlias = Call[User, Body, Case]
CaseApply: TypeAlias = Apply[User, Any, Case]


class CaseUseCase(Protocol):
    """A use case on a loaded case, as the API route and the sync handler both call it."""

    def __call__(
        self, *, actor: User, case: Case, data: Any, session: AsyncClientSession | None = None
    ) -> Awaitable[object]: ...


async def locate_case(actor: User, args: Any, session: AsyncClientSession) -> Target[Case]:
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
    return Target(entity="case", id=str(case.id), version=case.version, value=case)


def on_case(body: type[Body]) -> type[Body]:
    """The mutation's arguments: the API route's body plus the case it acts on."""
    return create_model(f"{body.__name__}Args", __base__=body, case_id=(CaseRef, ...))


def case_of(call: OnCase[Any]) -> Case:
    """The case `locate_case` loaded; the use case's writes update it in place."""
    return call.target.value


def applied(call: OnCase[Any], resolutions: list[Resolution] | None = None) -> Applied:
    """The mutation's effect: the case at the version its use case left it."""
    return Applied(version=case_of(call).version, resolutions=resolutions or [])


def calling(use_case: CaseUseCase) -> CaseApply:
    """A handler that hands the arguments to `use_case` as its body."""

    async def apply(call: OnCase[Any]) -> Applied:
        await use_case(actor=call.actor, case=case_of(call), data=call.args, session=call.session)
        return applied(call)

    return apply


@dataclass(frozen=True)
class CaseMutation:
    """One mutation on a case, as its domain declares it."""

    name: str
    args: type[BaseModel]
    policy: Policy
    summary: str
    apply: CaseApply

    def register(self, registry: Registry[User]) -> None:
        """Register the mutation with `registry`, located by `locate_case`."""
        register_as = registry.mutation(
            self.name,
            args=self.args,
            policy=self.policy,
            locate=locate_case,
            summary=self.summary,
        )
        register_as(self.apply)
