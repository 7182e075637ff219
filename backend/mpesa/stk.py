"""What M-PESA says of an STK push, by callback or by status query, closes the request:
paid (booked through receipts, once), cancelled, timed out, wrong PIN or failed.

A callback may come before DebtX has stored the push's CheckoutRequestID (Daraja
answers the push and calls back concurrently): it is kept, and applied as soon as the
id is stored. Every callback is kept as received, duplicates included."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from backend.cases import service as cases
from backend.cases.sections import Section
from backend.core import clock, db
from backend.core.errors import ValidationFailed
from backend.core.logging import get_logger
from backend.core.money import Money, major_units
from backend.core.settings import get_settings
from backend.mpesa import client, repository
from backend.mpesa.models import Booking, StkCallback, StkRequest, StkStatus
from backend.mpesa.schemas import e164
from backend.receipts import service as receipts
from backend.receipts.models import Provider, Source
from backend.receipts.schemas import ProviderReport

log = get_logger("debtx.mpesa")

PAID_CODE = "0"
_OUTCOMES = {
    "1032": StkStatus.CANCELLED,
    "1037": StkStatus.TIMED_OUT,
    "2001": StkStatus.WRONG_PIN,
}
OPEN = {StkStatus.QUEUED, StkStatus.PENDING}


async def mirror(request: StkRequest, action: str) -> None:
    """Tell the case's readers (its officer's app, the mirror) its STK pushes changed."""
    if request.case_id is None:
        return
    case_id = request.case_id

    async def note() -> None:
        async with db.transaction() as txn:
            await cases.touch_id(case_id, action=action, sections=[Section.STK_PUSHES], session=txn)

    await db.retry_conflicts(note)


def outcome_of(result_code: str) -> StkStatus:
    """The request's state for one of Daraja's result codes."""
    if result_code == PAID_CODE:
        return StkStatus.PAID
    return _OUTCOMES.get(result_code, StkStatus.FAILED)


async def prompted(request: StkRequest, prompt: client.Prompt) -> StkRequest:
    """Daraja accepted the push: the request waits for the customer, or for a callback
    that came first."""
    fields = {
        "status": StkStatus.PENDING,
        "merchant_request_id": prompt.merchant_request_id,
        "checkout_request_id": prompt.checkout_request_id,
        "sent_at": clock.now(),
        "claim": None,
    }
    await repository.update_if(str(request.id), {"status": StkStatus.QUEUED.value}, fields)
    log.info("mpesa.stk.sent", stk_request_id=request.id, checkout=prompt.checkout_request_id)
    await mirror(request, "mpesa.stk_sent")
    for early in await repository.waiting_callbacks(prompt.checkout_request_id):
        await _apply(early)
    return await repository.get(str(request.id)) or request


async def on_callback(body: Any) -> None:
    """Keep Daraja's STK callback and apply it to its request."""
    callback = _read_callback(body)
    await repository.keep_callback(callback)
    request = await repository.by_checkout(callback.checkout_request_id)
    if request is None:
        log.info("mpesa.stk.callback_early", checkout=callback.checkout_request_id)
        return
    await _apply(callback, request)


def _read_callback(body: Any) -> StkCallback:
    try:
        inner = body["Body"]["stkCallback"]
        checkout, code = str(inner["CheckoutRequestID"]), str(inner["ResultCode"])
    except (KeyError, TypeError) as exc:
        log.warning("mpesa.stk.callback_malformed")
        raise ValidationFailed("not an STK callback: Body.stkCallback is incomplete") from exc
    if not checkout or (code == PAID_CODE and _booking(inner) is None):
        log.warning("mpesa.stk.callback_malformed", checkout=checkout)
        raise ValidationFailed("the STK callback's metadata is incomplete")
    return StkCallback(checkout_request_id=checkout, result_code=code, body=body)


def _booking(inner: dict[str, Any]) -> Booking | None:
    """The payment a successful callback reports, or None if its metadata is unusable."""
    try:
        items = {i["Name"]: i.get("Value") for i in inner["CallbackMetadata"]["Item"]}
        amount = major_units(str(Decimal(str(items["Amount"]))))
        stamp = datetime.strptime(str(items["TransactionDate"]), "%Y%m%d%H%M%S")
        receipt = str(items["MpesaReceiptNumber"])
    except (KeyError, TypeError, ValueError, InvalidOperation):
        return None
    phone = items.get("PhoneNumber")
    if amount <= 0 or not receipt:
        return None
    return Booking(
        transaction_id=receipt,
        source=Source.CALLBACK.value,
        amount=Money(amount=amount, currency=get_settings().mpesa.currency),
        paid_at=stamp.replace(tzinfo=client.EAT).astimezone(UTC),
        phone=_phone(phone),
        raw=inner,
    )


def _phone(value: Any) -> str | None:
    try:
        return e164(str(value)) if value is not None else None
    except ValueError:
        return None


async def _apply(callback: StkCallback, request: StkRequest | None = None) -> None:
    request = request or await repository.by_checkout(callback.checkout_request_id)
    if request is None:
        return
    inner = callback.body["Body"]["stkCallback"]
    if callback.result_code == PAID_CODE:
        booking = _booking(inner)
        if booking is not None:
            await settle_paid(request, booking)
    else:
        await close_unpaid(request, callback.result_code, str(inner.get("ResultDesc") or ""))
    await repository.callback_applied(callback)


async def settle_paid(request: StkRequest, booking: Booking) -> None:
    """Close the request as paid and book it; a repeat of the same payment books nothing new."""
    fields = {
        "status": StkStatus.PAID,
        "result_code": PAID_CODE,
        "booking": booking,
        "closed_at": clock.now(),
    }
    if await repository.close(str(request.id), open_in=OPEN, fields=fields):
        request.booking = booking
        await mirror(request, "mpesa.stk_paid")
    else:
        request = await repository.get(str(request.id)) or request
    if request.booking is not None and request.booking.transaction_id == booking.transaction_id:
        await book(request, booking)
        return
    # Paid already by a status query's answer (no receipt number), or closed otherwise
    log.warning("mpesa.stk.late_payment", stk_request_id=request.id, status=request.status)
    await repository.set_fields(str(request.id), {"late_receipt": booking.transaction_id})


async def close_unpaid(request: StkRequest, result_code: str, description: str) -> None:
    """Cancelled, timed out, wrong PIN or failed: nothing is booked."""
    status = outcome_of(result_code)
    fields = {
        "status": status,
        "result_code": result_code,
        "result_desc": description,
        "closed_at": clock.now(),
    }
    if await repository.close(str(request.id), open_in=OPEN, fields=fields):
        log.info("mpesa.stk.closed", stk_request_id=request.id, status=status)
        await mirror(request, "mpesa.stk_closed")
    else:
        log.info("mpesa.stk.callback_after_close", stk_request_id=request.id)


async def book(request: StkRequest, booking: Booking) -> None:
    """Hand the payment to receipts (booked once per transaction id), and keep its receipt."""
    receipt = await receipts.receive(
        ProviderReport(
            provider=Provider.MPESA,
            transaction_id=booking.transaction_id,
            source=Source(booking.source),
            amount=booking.amount,
            paid_at=booking.paid_at,
            reference=request.reference or None,
            phone=booking.phone or request.phone,
            account_hint=request.account_id or None,
            case_hint=request.case_id,
            raw=booking.raw,
        )
    )
    await repository.set_fields(str(request.id), {"receipt_id": receipt.id})
    log.info("mpesa.stk.booked", stk_request_id=request.id, transaction=booking.transaction_id)
