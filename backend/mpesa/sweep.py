"""The beat's sweep: queued pushes no process sent (a lost after-commit step), pushes
M-PESA never called back about (asked with the STK status query and closed by its
answer), and paid requests receipts has not booked yet."""

from __future__ import annotations

from datetime import timedelta

import httpx

from backend.core import clock
from backend.core.logging import get_logger
from backend.core.settings import MpesaSettings
from backend.mpesa import client, repository, service, stk
from backend.mpesa.errors import DarajaRefused, DarajaUnavailable
from backend.mpesa.models import Booking, StkRequest, StkStatus
from backend.receipts.models import Source

log = get_logger("debtx.mpesa")

SEND_GRACE = timedelta(seconds=30)  # the after-commit step normally sends within this
SEND_LIMIT = timedelta(minutes=10)  # a prompt older than this would surprise the customer
BOOK_GRACE = timedelta(minutes=1)


async def sweep(*, http: httpx.AsyncClient, settings: MpesaSettings) -> dict[str, int]:
    """One pass; what it did, by kind."""
    now = clock.now()
    sent = 0
    for request_id in await repository.queued_before(now - SEND_GRACE):
        sent += await _send_or_drop(request_id, http, settings, now)
    queried = 0
    for request_id in await repository.pending_since_before(
        now - timedelta(minutes=settings.query_after_minutes)
    ):
        queried += await query(request_id, http=http, settings=settings)
    rebooked = 0
    for request_id in await repository.unbooked_before(now - BOOK_GRACE):
        request = await repository.get(request_id)
        if request is not None and request.booking is not None:
            await stk.book(request, request.booking)
            rebooked += 1
    return {"sent": sent, "closed": queried, "booked": rebooked}


async def _send_or_drop(
    request_id: str, http: httpx.AsyncClient, settings: MpesaSettings, now
) -> int:
    request = await repository.get(request_id)
    if request is None:
        return 0
    if request.created_at < now - SEND_LIMIT:
        await service.fail_queued(request, "never reached M-PESA")
        return 0
    sent = await service.send(request_id, http=http, settings=settings)
    return int(sent is not None and sent.status is not StkStatus.QUEUED)


async def query(request_id: str, *, http: httpx.AsyncClient, settings: MpesaSettings) -> int:
    """Ask M-PESA what became of a silent push and close it by the answer; 1 if closed."""
    request = await repository.get(request_id)
    if request is None or request.status is not StkStatus.PENDING:
        return 0
    try:
        answer = await client.stk_query(http, settings, request.checkout_request_id or "")
    except (DarajaUnavailable, DarajaRefused) as exc:
        log.warning("mpesa.stk.query_failed", stk_request_id=request_id, error=exc.code)
        return 0
    now = clock.now()
    if answer is None:
        given_up = request.sent_at is not None and request.sent_at < now - timedelta(
            minutes=settings.give_up_after_minutes
        )
        if given_up:
            await stk.close_unpaid(request, "1037", "no answer from M-PESA")
            return 1
        await repository.set_fields(request_id, {"queried_at": now})
        return 0
    code, description = answer
    if code == stk.PAID_CODE:
        await stk.settle_paid(request, _queried_booking(request, description))
    else:
        await stk.close_unpaid(request, code, description)
    log.info("mpesa.stk.queried", stk_request_id=request_id, result_code=code)
    return 1


def _queried_booking(request: StkRequest, description: str) -> Booking:
    """A payment known from the status query, which gives no receipt number or time."""
    return Booking(
        transaction_id=request.checkout_request_id or str(request.id),
        source=Source.STATUS_QUERY.value,
        amount=request.amount,
        paid_at=clock.now(),
        phone=request.phone,
        raw={
            "CheckoutRequestID": request.checkout_request_id,
            "MerchantRequestID": request.merchant_request_id,
            "ResultCode": stk.PAID_CODE,
            "ResultDesc": description,
        },
    )
