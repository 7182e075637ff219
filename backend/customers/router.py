from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from backend.auth.deps import CurrentUser, OperatorStaff
from backend.cases.deps import CaseForCaller
from backend.customers import service
from backend.customers.schemas import REF_PATTERN, ContactsUpdate, CustomerRead, DisputeOpen

router = APIRouter(tags=["customers"])

CustomerId = Annotated[str, Path(pattern=REF_PATTERN, description="CRM customer reference")]


@router.get("/customers/{customer_id}", summary="Customer with contacts and accounts")
async def get_customer(actor: CurrentUser, customer_id: CustomerId) -> CustomerRead:
    """Officers see the customers of their cases, supervisors their DRC's, operators all."""
    return await service.get_for(actor=actor, customer_id=customer_id)


@router.patch("/cases/{case_id}/customer/contacts", summary="Update the case's customer contacts")
async def update_contacts(
    case: CaseForCaller, actor: CurrentUser, body: ContactsUpdate
) -> CustomerRead:
    """Update_Customer_Contacts: the officer holding the case, or their supervisor."""
    return await service.update_contacts(actor=actor, case=case, data=body)


@router.put("/customers/{customer_id}/dispute", summary="Open a dispute on the customer")
async def open_dispute(
    actor: OperatorStaff, customer_id: CustomerId, body: DisputeOpen
) -> CustomerRead:
    """Operator staff: no collection message reaches the customer while it is open."""
    return await service.open_dispute(actor=actor, customer_id=customer_id, reason=body.reason)


@router.delete("/customers/{customer_id}/dispute", summary="Close the customer's dispute")
async def close_dispute(actor: OperatorStaff, customer_id: CustomerId) -> CustomerRead:
    """Operator staff: collection contact may resume."""
    return await service.close_dispute(actor=actor, customer_id=customer_id)
