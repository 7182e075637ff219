"""The STK push an officer sends from the field (policies: backend/cases/mutations.py).

The request is stored in the sync transaction under the mutation's own key, so a
replayed mutation finds its result in the ledger and prompts nobody twice; it is sent
to M-PESA once the transaction commits (and by the sweep if that step is lost)."""

from __future__ import annotations

from typing import Any

from backend.cases.mutations import CaseMutation, OnCase, applied, case_of, on_case
from backend.core.logging import get_logger
from backend.mpesa import service
from backend.mpesa.schemas import StkPush
from backend.worker.dispatch import enqueue
from sync.registry import Applied, Policy

log = get_logger("debtx.mpesa")

SEND_TASK = "mpesa.send_push"


def request_id_of(call: OnCase[Any]) -> str:
    """The STK request's id: the mutation's key, the same on every replay."""
    return f"sync:{call.mutation.client_id}:{call.mutation.mutation_id}"


async def _push(call: OnCase[Any]) -> Applied:
    request = await service.queue_push(
        actor=call.actor,
        case=case_of(call),
        data=call.args,
        request_id=request_id_of(call),
        session=call.session,
    )

    async def send() -> None:
        try:
            await enqueue(SEND_TASK, request_id=str(request.id))
        except Exception as exc:  # committed already: the sweep sends it
            log.warning("task.enqueue_failed", task=SEND_TASK, error=str(exc))

    effect = applied(call)
    return Applied(version=effect.version, resolutions=effect.resolutions, after=send)


STK_PUSH = CaseMutation(
    "payment.stk_push",
    args=on_case(StkPush),
    policy=Policy.APPEND_ONLY,
    summary="Prompt the customer's phone for an M-PESA payment",
    apply=_push,
)
