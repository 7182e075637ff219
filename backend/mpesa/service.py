"""STK push: staff prompt a customer's phone from the API, an officer from the field
(the `payment.stk_push` mutation queues the request in the sync transaction and it is
sent once that commits). Each request is sent once: a process claims it before calling
Daraja. What M-PESA answers closes it (backend/mpesa/stk.py)."""

from __future__ import annotations

from datetime import timedelta

import httpx
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.errors import CaseClosed
from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.cases.sections import Section
from backend.core import clock, pii
from backend.core.logging import get_logger
from backend.core.settings import MpesaSettings, get_settings
from backend.customers import service as customers
from backend.mpesa import client, repository, stk, urls
from backend.mpesa.errors import (
    AccountOutOfReach,
    AmountInvalid,
    DarajaRefused,
    DarajaUnavailable,
    StkRequestNotFound,
    TargetInvalid,
)
from backend.mpesa.models import StkRequest, StkStatus
from backend.mpesa.schemas import StkPush, StkPushCreate, StkRequestRead
from backend.users.models import User

log = get_logger("debtx.mpesa")

STALE_CLAIM = timedelta(minutes=2)


async def start_push(
    *, actor: User, data: StkPushCreate, http: httpx.AsyncClient, settings: MpesaSettings
) -> StkRequestRead:
    """Prompt the customer's phone now, for a case within reach or (operator) an account."""
    if (data.case_id is None) == (data.account_id is None):
        raise TargetInvalid.on("case_id", "name exactly one of case_id and account_id")
    if data.case_id is not None:
        case = await cases.get_for(actor=actor, case_id=data.case_id)
        _require_prompter(actor, case)
        request = _new_request(f"api:{ObjectId()}", actor, data, settings, case=case)
    else:
        request = await _account_request(actor, data, settings)
    await repository.insert(request)
    await _audit(actor, request)
    sent = await send(str(request.id), http=http, settings=settings, raise_errors=True)
    return read_of(sent or request)


async def _account_request(actor: User, data: StkPushCreate, settings: MpesaSettings) -> StkRequest:
    if not actor.is_operator:
        raise AccountOutOfReach("only operator staff prompt a payment on an account")
    account = await customers.get_account(data.account_id or "")
    if account is None:
        raise TargetInvalid.on("account_id", f"no account {data.account_id}")
    request = _new_request(f"api:{ObjectId()}", actor, data, settings, case=None)
    request.account_id = request.reference = account.id
    return request


def _require_prompter(actor: User, case: Case) -> None:
    """Operator staff prompt on any open case; DRC staff on the cases they work."""
    if not actor.is_operator:
        cases.require_worker(actor, case)
    elif case.phase is Phase.CLOSED:
        raise CaseClosed(f"Case {case.id} is closed")


async def queue_push(
    *, actor: User, case: Case, data: StkPush, request_id: str, session: AsyncClientSession
) -> StkRequest:
    """An officer's push from the field, stored in the sync transaction to send after it."""
    cases.require_worker(actor, case)
    request = _new_request(request_id, actor, data, get_settings().mpesa, case=case)
    await repository.insert(request, session=session)
    await _audit(actor, request, session=session)
    await cases.touch(case, action="mpesa.stk_push", sections=[Section.STK_PUSHES], session=session)
    return request


def _new_request(
    request_id: str, actor: User, data: StkPush, settings: MpesaSettings, *, case: Case | None
) -> StkRequest:
    amount = data.amount
    if amount.currency != settings.currency or amount.amount <= 0 or amount.amount % 100:
        raise AmountInvalid.on("amount", f"whole {settings.currency} above zero")
    if case is not None and case.outstanding.currency != amount.currency:
        raise AmountInvalid.on("amount", f"the case is owed in {case.outstanding.currency}")
    return StkRequest(
        id=request_id,
        case_id=None if case is None else str(case.id),
        account_id="" if case is None else case.account_id,
        drc_id=None if case is None else case.drc_id,
        phone=data.phone,
        amount=amount,
        reference="" if case is None else case.account_id,
        requested_by=actor.id,
    )


async def _audit(
    actor: User, request: StkRequest, *, session: AsyncClientSession | None = None
) -> None:
    await audit.record(
        actor=actor,
        action="mpesa.stk_push",
        entity_type="case" if request.case_id else "account",
        entity_id=request.case_id or request.account_id,
        after=_summary(request),
        drc_id=request.drc_id,
        session=session,
    )


def _summary(request: StkRequest) -> dict[str, object]:
    return {
        "stk_request_id": request.id,
        "phone": pii.mask(request.phone),  # the audit trail shows people a masked number
        "amount": request.amount.model_dump(),
        "account_id": request.account_id,
    }


async def send(
    request_id: str,
    *,
    http: httpx.AsyncClient,
    settings: MpesaSettings,
    raise_errors: bool = False,
) -> StkRequest | None:
    """Send a queued request to Daraja once; None when another process has it or it is gone."""
    token, now = str(ObjectId()), clock.now()
    if not await repository.claim(request_id, token, now=now, stale_before=now - STALE_CLAIM):
        return None
    request = await repository.get(request_id)
    if request is None:
        return None
    try:
        prompt = await _push(request, http, settings)
    except DarajaRefused as exc:
        await fail_queued(request, str(exc.detail))
        if raise_errors:
            raise
        return await repository.get(request_id)
    except DarajaUnavailable:
        await repository.set_fields(request_id, {"claim": None})
        if raise_errors:
            await fail_queued(request, "M-PESA was unavailable")
            raise
        return await repository.get(request_id)
    return await stk.prompted(request, prompt)


async def _push(
    request: StkRequest, http: httpx.AsyncClient, settings: MpesaSettings
) -> client.Prompt:
    return await client.stk_push(
        http,
        settings,
        phone=request.phone.lstrip("+"),
        amount=request.amount.amount // 100,
        reference=request.reference or request.account_id,
        description="DebtX payment",
        callback_url=urls.callback_url(settings, urls.STK),
    )


async def fail_queued(request: StkRequest, reason: str) -> None:
    """A request that will not reach M-PESA (refused, or too late to send) is failed."""
    log.warning("mpesa.stk.refused", stk_request_id=request.id, reason=reason)
    closed = await repository.close(
        str(request.id),
        open_in={StkStatus.QUEUED},
        fields={
            "status": StkStatus.FAILED,
            "result_desc": reason,
            "closed_at": clock.now(),
            "claim": None,
        },
    )
    if closed:
        await stk.mirror(request, "mpesa.stk_failed")


async def register_c2b(*, http: httpx.AsyncClient, settings: MpesaSettings) -> None:
    """Tell M-PESA where the paybill's C2B validation and confirmation callbacks go."""
    await client.register_urls(
        http,
        settings,
        confirmation=urls.callback_url(settings, urls.C2B_CONFIRMATION),
        validation=urls.callback_url(settings, urls.C2B_VALIDATION),
    )
    log.info("mpesa.c2b.registered", shortcode=settings.shortcode)


async def get_request(*, actor: User, request_id: str) -> StkRequestRead:
    """One STK request, if the caller may see its case (operator staff: any)."""
    request = await repository.get(request_id)
    if request is None or not await _may_see(actor, request):
        raise StkRequestNotFound(f"No STK request {request_id}")
    return read_of(request)


async def of_case(*, actor: User, case_id: str) -> list[StkRequestRead]:
    """The case's STK requests, newest first."""
    await cases.get_for(actor=actor, case_id=case_id)  # out of reach: the case's 404
    return [read_of(r) for r in await repository.of_case(case_id)]


async def _may_see(actor: User, request: StkRequest) -> bool:
    if actor.is_operator:
        return True
    case = None if request.case_id is None else await cases.get_unscoped(request.case_id)
    return case is not None and cases.can_see(actor, case)


def read_of(request: StkRequest) -> StkRequestRead:
    return StkRequestRead(
        id=str(request.id),
        case_id=request.case_id,
        account_id=request.account_id,
        phone=request.phone,
        amount=request.amount,
        reference=request.reference,
        status=request.status,
        requested_by=request.requested_by,
        checkout_request_id=request.checkout_request_id,
        result_code=request.result_code,
        result_desc=request.result_desc,
        receipt_id=request.receipt_id,
        transaction_id=None if request.booking is None else request.booking.transaction_id,
        created_at=request.created_at,
        closed_at=request.closed_at,
    )
