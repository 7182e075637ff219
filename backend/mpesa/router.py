"""M-PESA routes: staff prompt a customer's phone (STK push); Daraja's callbacks.

Daraja does not sign its callbacks: each callback URL carries the secret
`DEBTX_MPESA__CALLBACK_TOKEN` as its `token` query parameter (never logged: the
request log keeps the path only), and a callback without it is refused."""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, status
from pydantic import BaseModel

from backend.auth.deps import CurrentUser
from backend.core.errors import MalformedJson
from backend.core.logging import get_logger
from backend.core.ratelimit import RateLimited
from backend.core.settings import MpesaSettings
from backend.mpesa import c2b, service, stk, urls
from backend.mpesa.errors import CallbackRefused
from backend.mpesa.schemas import (
    ACCEPTED,
    C2BCallbackBody,
    CaseRef,
    DarajaAnswer,
    StkCallbackBody,
    StkPushCreate,
    StkRequestRead,
)

router = APIRouter(tags=["mpesa"])
log = get_logger("debtx.mpesa")

CallbackToken = Annotated[str | None, Query(description="The callback URL's secret token")]
RequestId = Annotated[str, Path(pattern=r"^[a-z]{3,4}:[A-Za-z0-9:_-]{1,120}$")]


def _settings(request: Request) -> MpesaSettings:
    return request.app.state.settings.mpesa


def _check_token(request: Request, token: str | None) -> MpesaSettings:
    settings = _settings(request)
    expected = settings.callback_token.get_secret_value().encode()
    if token is None or not hmac.compare_digest(token.encode(), expected):
        log.warning("mpesa.callback.refused", path=request.url.path)
        raise CallbackRefused("the callback URL's token is missing or wrong")
    return settings


@router.post(
    "/mpesa/stk-push",
    status_code=status.HTTP_201_CREATED,
    summary="Prompt a customer's phone for an M-PESA payment",
)
async def stk_push(actor: CurrentUser, body: StkPushCreate, request: Request) -> StkRequestRead:
    """On a case (operator staff, its DRC's supervisor, its officer) or, operator staff,
    an account; whole shillings. The answer is pending until M-PESA calls back."""
    return await service.start_push(
        actor=actor, data=body, http=request.app.state.resources.http, settings=_settings(request)
    )


@router.get("/mpesa/stk-requests/{request_id}", summary="One STK push request")
async def get_stk_request(actor: CurrentUser, request_id: RequestId) -> StkRequestRead:
    """Its status: queued, pending, paid, cancelled, timed_out, wrong_pin or failed."""
    return await service.get_request(actor=actor, request_id=request_id)


@router.get("/cases/{case_id}/stk-requests", summary="A case's STK push requests")
async def case_stk_requests(actor: CurrentUser, case_id: CaseRef) -> list[StkRequestRead]:
    """Newest first, for a case within reach."""
    return await service.of_case(actor=actor, case_id=case_id)


def _documented(model: type[BaseModel]) -> dict[str, Any]:
    """The body Daraja sends, shown in the OpenAPI document (the route reads it raw)."""
    schema = model.model_json_schema()
    inline = _inlined(schema, schema.pop("$defs", {}))
    return {"requestBody": {"required": True, "content": {"application/json": {"schema": inline}}}}


def _inlined(node: Any, defs: dict[str, Any]) -> Any:
    """`node` with each `#/$defs/...` reference replaced by its definition."""
    if isinstance(node, list):
        return [_inlined(item, defs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref", "")
    if ref.startswith("#/$defs/"):
        return _inlined(defs[ref.removeprefix("#/$defs/")], defs)
    return {key: _inlined(value, defs) for key, value in node.items()}


@router.post(
    urls.STK,
    summary="Daraja's STK push callback",
    openapi_extra=_documented(StkCallbackBody),
    dependencies=[RateLimited("callbacks")],
)
async def stk_callback(request: Request, token: CallbackToken = None) -> DarajaAnswer:
    """Matched to its request by CheckoutRequestID; a repeat books nothing new."""
    _check_token(request, token)
    try:
        body = json.loads(await request.body())
    except ValueError as exc:
        log.warning("mpesa.stk.callback_malformed")
        raise MalformedJson("the STK callback is not JSON") from exc
    await stk.on_callback(body)
    return ACCEPTED


@router.post(
    urls.C2B_VALIDATION,
    summary="Daraja asks whether to take a paybill payment",
    openapi_extra=_documented(C2BCallbackBody),
    dependencies=[RateLimited("callbacks")],
)
async def c2b_validation(request: Request, token: CallbackToken = None) -> DarajaAnswer:
    """ResultCode 0 accepts; C2B00012 unknown account, C2B00013 bad amount, C2B00015
    another shortcode, C2B00016 an unreadable body."""
    settings = _check_token(request, token)
    return await c2b.validate(await request.body(), settings)


@router.post(
    urls.C2B_CONFIRMATION,
    summary="Daraja confirms a paybill payment",
    openapi_extra=_documented(C2BCallbackBody),
    dependencies=[RateLimited("callbacks")],
)
async def c2b_confirmation(request: Request, token: CallbackToken = None) -> DarajaAnswer:
    """Booked once per TransID; ResultCode 0 once stored, 1 (not booked) when refused."""
    settings = _check_token(request, token)
    return await c2b.confirm(await request.body(), settings)
