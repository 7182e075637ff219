"""Daraja over HTTP: the OAuth token (cached until shortly before it expires), the STK
push and its status query, and C2B URL registration. Credentials go only into the
Authorization header and the STK password; nothing here logs them."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from backend.core import clock
from backend.core.logging import get_logger
from backend.core.settings import MpesaSettings
from backend.mpesa.errors import DarajaRefused, DarajaUnavailable

log = get_logger("debtx.mpesa")

EAT = timezone(timedelta(hours=3))  # Daraja's timestamps are Nairobi time
TOKEN_MARGIN_SECONDS = 60  # renew a token this long before Daraja would expire it
STILL_PROCESSING = "500.001.1001"


def timestamp(at: datetime | None = None) -> str:
    """Daraja's YYYYMMDDHHmmss, in East Africa Time."""
    return f"{(at or clock.now()).astimezone(EAT):%Y%m%d%H%M%S}"


def password(settings: MpesaSettings, stamp: str) -> str:
    """base64(shortcode + passkey + timestamp), as the STK push and query require."""
    raw = f"{settings.shortcode}{settings.passkey.get_secret_value()}{stamp}"
    return base64.b64encode(raw.encode()).decode()


@dataclass
class _Token:
    value: str
    expires: float  # monotonic


class TokenCache:
    """One token per Daraja app (base URL and credentials), shared by the process."""

    def __init__(self) -> None:
        self._tokens: dict[str, _Token] = {}
        self._lock = asyncio.Lock()

    @staticmethod
    def _key(settings: MpesaSettings) -> str:
        app = f"{settings.base_url}\0{settings.consumer_key.get_secret_value()}\0"
        return hashlib.sha256(
            (app + settings.consumer_secret.get_secret_value()).encode()
        ).hexdigest()

    async def get(self, http: httpx.AsyncClient, settings: MpesaSettings) -> str:
        key = self._key(settings)
        token = self._tokens.get(key)
        if token is not None and token.expires > time.monotonic():
            return token.value
        async with self._lock:
            token = self._tokens.get(key)
            if token is None or token.expires <= time.monotonic():
                token = await _fetch_token(http, settings)
                self._tokens[key] = token
        return token.value

    def forget(self, settings: MpesaSettings) -> None:
        self._tokens.pop(self._key(settings), None)


TOKENS = TokenCache()


async def _fetch_token(http: httpx.AsyncClient, settings: MpesaSettings) -> _Token:
    try:
        response = await http.get(
            f"{settings.base_url}/oauth/v1/generate",
            params={"grant_type": "client_credentials"},
            auth=(
                settings.consumer_key.get_secret_value(),
                settings.consumer_secret.get_secret_value(),
            ),
            timeout=settings.timeout_seconds,
        )
    except httpx.HTTPError as exc:
        log.warning("mpesa.token.unreachable", error=type(exc).__name__)
        raise DarajaUnavailable("M-PESA could not be reached for a token") from exc
    body = _json(response)
    if response.status_code != 200 or "access_token" not in body:
        log.warning("mpesa.token.refused", status=response.status_code)
        raise DarajaUnavailable("M-PESA refused DebtX's credentials")
    seconds = int(body.get("expires_in") or 0)
    expires = time.monotonic() + max(seconds - TOKEN_MARGIN_SECONDS, 0)
    return _Token(str(body["access_token"]), expires)


async def call(
    http: httpx.AsyncClient, settings: MpesaSettings, path: str, body: dict[str, Any]
) -> tuple[int, dict[str, Any]]:
    """POST `body` to Daraja with the bearer token; a token Daraja has dropped is renewed once."""
    for attempt in range(2):
        token = await TOKENS.get(http, settings)
        try:
            response = await http.post(
                f"{settings.base_url}{path}",
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=settings.timeout_seconds,
            )
        except httpx.HTTPError as exc:
            log.warning("mpesa.call.unreachable", path=path, error=type(exc).__name__)
            raise DarajaUnavailable("M-PESA did not answer") from exc
        if response.status_code == 401 and attempt == 0:
            TOKENS.forget(settings)
            continue
        return response.status_code, _json(response)
    raise DarajaUnavailable("M-PESA refused DebtX's token")


def _json(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


@dataclass(frozen=True)
class Prompt:
    """Daraja's ids for an STK push it accepted."""

    merchant_request_id: str
    checkout_request_id: str


async def stk_push(
    http: httpx.AsyncClient,
    settings: MpesaSettings,
    *,
    phone: str,
    amount: int,
    reference: str,
    description: str,
    callback_url: str,
) -> Prompt:
    """Ask M-PESA to prompt `phone` (2547…) for `amount` whole shillings to the paybill."""
    stamp = timestamp()
    body = {
        "BusinessShortCode": settings.shortcode,
        "Password": password(settings, stamp),
        "Timestamp": stamp,
        "TransactionType": "CustomerPayBillOnline",
        "Amount": amount,
        "PartyA": phone,
        "PartyB": settings.shortcode,
        "PhoneNumber": phone,
        "CallBackURL": callback_url,
        "AccountReference": reference[:12],
        "TransactionDesc": description[:13],
    }
    status, answer = await call(http, settings, "/mpesa/stkpush/v1/processrequest", body)
    if status >= 500:
        raise DarajaUnavailable(str(answer.get("errorMessage") or "M-PESA failed"))
    if status != 200 or str(answer.get("ResponseCode")) != "0":
        raise DarajaRefused(str(answer.get("errorMessage") or answer.get("ResponseDescription")))
    return Prompt(str(answer["MerchantRequestID"]), str(answer["CheckoutRequestID"]))


async def stk_query(
    http: httpx.AsyncClient, settings: MpesaSettings, checkout_request_id: str
) -> tuple[str, str] | None:
    """The push's (ResultCode, ResultDesc); None while the customer has not answered."""
    stamp = timestamp()
    body = {
        "BusinessShortCode": settings.shortcode,
        "Password": password(settings, stamp),
        "Timestamp": stamp,
        "CheckoutRequestID": checkout_request_id,
    }
    status, answer = await call(http, settings, "/mpesa/stkpushquery/v1/query", body)
    if status == 200 and "ResultCode" in answer:
        return str(answer["ResultCode"]), str(answer.get("ResultDesc") or "")
    if str(answer.get("errorCode")) == STILL_PROCESSING or status >= 500:
        return None
    raise DarajaRefused(str(answer.get("errorMessage") or "the status query was refused"))


async def register_urls(
    http: httpx.AsyncClient, settings: MpesaSettings, *, confirmation: str, validation: str
) -> None:
    """Tell M-PESA where to send the paybill's C2B validation and confirmation."""
    body = {
        "ShortCode": settings.shortcode,
        "ResponseType": "Cancelled",  # validation unreachable: the payment is not taken
        "ConfirmationURL": confirmation,
        "ValidationURL": validation,
    }
    status, answer = await call(http, settings, "/mpesa/c2b/v1/registerurl", body)
    if status != 200 or str(answer.get("ResponseCode")) != "0":
        raise DarajaRefused(str(answer.get("errorMessage") or "URL registration was refused"))
