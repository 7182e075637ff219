"""The sweep: a push M-PESA never called back about is asked after (STK status query)
and closed by the answer; a lost send is sent; a paid request not yet booked is booked."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from backend.core import clock
from backend.devstack.daraja import CANCELLED, Outcome
from backend.mpesa import repository
from backend.mpesa.models import Booking, StkRequest, StkStatus
from backend.payments.models import Payment
from backend.receipts.models import Receipt, Source
from tests.backend.mpesa.helpers import kenyan_case
from tests.backend.mpesa.test_stk import _queued_from_the_field

NOW = {"query_after_minutes": 0.0}
MINUTES = timedelta(minutes=5)


async def _silent_push(client, signing_key, mpesa, outcome: Outcome) -> StkRequest:
    case, officer = await kenyan_case()
    mpesa.server.script(outcome)
    _, request_id = await _queued_from_the_field(client, signing_key, case, officer)
    sent = await mpesa.send(request_id)
    assert sent is not None and sent.status is StkStatus.PENDING
    await asyncio.sleep(0.1)  # the customer answers the prompt; no callback comes
    return sent


async def test_a_callback_that_never_comes_is_closed_by_the_status_query(
    client, signing_key, mpesa
):
    request = await _silent_push(client, signing_key, mpesa, Outcome(deliveries=0))
    assert await mpesa.sweep(query_after_minutes=60) == {"sent": 0, "closed": 0, "booked": 0}
    assert await mpesa.sweep(**NOW) == {"sent": 0, "closed": 1, "booked": 0}
    paid = await StkRequest.get(request.id)
    assert paid.status is StkStatus.PAID and paid.receipt_id is not None
    receipt = await Receipt.get(paid.receipt_id)
    assert receipt.source is Source.STATUS_QUERY
    assert receipt.transaction_id == request.checkout_request_id
    assert await Payment.count() == 1

    # The callback turns up after all: noted on the request, booked no second time
    assert mpesa.server.deliver_late(request.checkout_request_id) == [200]
    late = await StkRequest.get(request.id)
    assert late.late_receipt == mpesa.server.sessions[request.checkout_request_id].receipt
    assert await Receipt.count() == 1 and await Payment.count() == 1


async def test_a_declined_prompt_found_by_the_query_books_nothing(client, signing_key, mpesa):
    request = await _silent_push(
        client, signing_key, mpesa, Outcome(result_code=CANCELLED, deliveries=0)
    )
    await mpesa.sweep(**NOW)
    closed = await StkRequest.get(request.id)
    assert closed.status is StkStatus.CANCELLED and closed.result_code == str(CANCELLED)
    assert await Receipt.count() == 0


async def test_a_prompt_still_open_waits_until_the_give_up_time(client, signing_key, mpesa):
    request = await _silent_push(client, signing_key, mpesa, Outcome(delay=600, deliveries=0))
    await mpesa.sweep(**NOW)
    waiting = await StkRequest.get(request.id)
    assert waiting.status is StkStatus.PENDING and waiting.queried_at is not None
    await mpesa.sweep(**NOW, give_up_after_minutes=0.0)
    gone = await StkRequest.get(request.id)
    assert gone.status is StkStatus.TIMED_OUT and gone.receipt_id is None


async def test_a_push_whose_send_was_lost_is_sent_by_the_sweep(client, signing_key, mpesa):
    case, officer = await kenyan_case()
    _, fresh = await _queued_from_the_field(client, signing_key, case, officer)
    _, stale = await _queued_from_the_field(client, signing_key, case, officer)
    await repository.set_fields(fresh, {"created_at": clock.now() - timedelta(minutes=1)})
    await repository.set_fields(stale, {"created_at": clock.now() - timedelta(hours=1)})
    assert (await mpesa.sweep())["sent"] == 1
    assert (await mpesa.settled(fresh)).status is StkStatus.PAID
    dropped = await StkRequest.get(stale)
    assert dropped.status is StkStatus.FAILED and len(mpesa.server.sessions) == 1


async def test_a_paid_request_not_yet_booked_is_booked_by_the_sweep(client, signing_key, mpesa):
    request = await _silent_push(client, signing_key, mpesa, Outcome(deliveries=0))
    # The process stopped between closing the request as paid and booking it
    booking = Booking(
        transaction_id="SKL0000099",
        source=Source.CALLBACK.value,
        amount=request.amount,
        paid_at=clock.now(),
        phone=request.phone,
    )
    fields = {"status": StkStatus.PAID, "booking": booking, "closed_at": clock.now() - MINUTES}
    assert await repository.close(request.id, open_in={StkStatus.PENDING}, fields=fields)
    assert (await mpesa.sweep())["booked"] == 1
    booked = await StkRequest.get(request.id)
    receipt = await Receipt.get(booked.receipt_id)
    assert receipt.transaction_id == "SKL0000099" and receipt.case_id == request.case_id
    assert await Payment.count() == 1
    assert (await mpesa.sweep())["booked"] == 0
