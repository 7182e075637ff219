from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, status

from backend.auth.deps import CurrentUser, OperatorStaff
from backend.cases.deps import CaseForCaller
from backend.core.pagination import Limit, ObjectIdCursor, Page
from backend.payments import service
from backend.payments.schemas import PaymentCreate, PaymentRead, PaymentReverse

router = APIRouter(tags=["payments"])

PaymentId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Payment id")]


@router.post(
    "/cases/{case_id}/payments", status_code=status.HTTP_201_CREATED, summary="Record a payment"
)
async def record_payment(
    case: CaseForCaller, actor: CurrentUser, body: PaymentCreate
) -> PaymentRead:
    """The holding officer, their supervisor or operator staff record a customer's payment;
    a reference already recorded on the channel is a 409."""
    return await service.record_payment(actor=actor, case=case, data=body)


@router.get("/cases/{case_id}/payments", summary="A case's payments")
async def list_payments(
    case: CaseForCaller, cursor: ObjectIdCursor = None, limit: Limit = 50
) -> Page[PaymentRead]:
    """Every payment recorded on the case, most recent first, reversed ones included."""
    return await service.list_payments(case=case, cursor=cursor, limit=limit)


@router.get("/payments/{payment_id}", summary="One payment")
async def get_payment(actor: CurrentUser, payment_id: PaymentId) -> PaymentRead:
    """404 when the payment's case is outside the caller's reach."""
    return service.read_of(await service.get_payment(actor=actor, payment_id=payment_id))


@router.post("/payments/{payment_id}/reverse", summary="Reverse a payment (operator)")
async def reverse_payment(
    actor: OperatorStaff, payment_id: PaymentId, body: PaymentReverse
) -> PaymentRead:
    """Undo a payment (bounced cheque, wrong account) and claw its commission back."""
    return service.read_of(
        await service.reverse_payment(actor=actor, payment_id=payment_id, reason=body.reason)
    )
