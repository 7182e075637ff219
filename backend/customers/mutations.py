"""The contact changes officers may make offline (policies: backend/cases/mutations.py)."""

from __future__ import annotations

from pydantic import Field

from backend.cases.mutations import CaseMutation, CaseRef, OnCase, case_of
from backend.core.schemas import RequestModel
from backend.customers import service
from backend.customers.schemas import ContactChange
from sync.registry import Applied, Policy


class ContactArgs(RequestModel):
    """Contact changes to the case's customer, made against the customer `base_version`."""

    case_id: CaseRef
    changes: list[ContactChange] = Field(min_length=1, max_length=20)


async def _update_contact(call: OnCase[ContactArgs]) -> Applied:
    """Merge the changes field by field; the customer's version is the one answered."""
    assert call.mutation.base_version is not None  # the engine requires it
    customer, resolutions = await service.merge_contacts(
        actor=call.actor,
        case=case_of(call),
        changes=call.args.changes,
        base_version=call.mutation.base_version,
        device_time=call.mutation.device_time,
        session=call.session,
    )
    return Applied(
        version=customer.version, resolutions=resolutions, entity=f"customer:{customer.id}"
    )


UPDATE_CONTACT = CaseMutation(
    "customer.update_contact",
    args=ContactArgs,
    policy=Policy.FIELD_MERGE,
    summary="Add, correct or remove the customer's contacts",
    apply=_update_contact,
)
