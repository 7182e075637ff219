"""FCM HTTP v1: OAuth2 access tokens from a service account, and one POST per message.

Posted with httpx rather than through pyfcm or firebase-admin, because:
- pyfcm 2.1 is blocking (requests), caches the Authorization header for 30 minutes
  whatever the token's lifetime, sleeps inside its own retry adapter and, for many
  devices, starts a fresh event loop that cannot run inside a worker's loop;
- firebase-admin 7.7 hard-codes https://fcm.googleapis.com (only a private attribute
  moves it), so it cannot be pointed at a local server cleanly.
The request is exactly what both libraries send: `POST {base}/v1/projects/{project}/
messages:send` with `{"message": ...}` and `Authorization: Bearer <access token>`.
The access token comes from google-auth's service-account credentials, whose token
URL is a setting (a local token endpoint in tests).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from google.auth.transport.requests import Request
from google.oauth2 import service_account

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
# Refresh this long before the token's expiry, so a send never carries a stale one.
TOKEN_MARGIN_SECONDS = 300
# FCM error codes after which the token will never work again.
DEAD_TOKEN = frozenset({"UNREGISTERED", "SENDER_ID_MISMATCH"})
TRANSIENT = frozenset({"UNAVAILABLE", "INTERNAL", "QUOTA_EXCEEDED"})


@dataclass(frozen=True)
class FcmAnswer:
    """What FCM made of one message."""

    ok: bool
    name: str | None = None  # projects/<p>/messages/<id>
    code: str | None = None  # UNREGISTERED, INVALID_ARGUMENT, UNAVAILABLE, ...
    message: str | None = None
    dead_token: bool = False  # prune the device
    transient: bool = False  # try again later
    retry_after: float | None = None


class AccessTokens:
    """OAuth2 access tokens for the service account, refreshed before they expire."""

    def __init__(self, credentials_file: Path, token_url: str) -> None:
        info = json.loads(credentials_file.read_text())
        self.project_id: str | None = info.get("project_id")
        self._credentials = service_account.Credentials.from_service_account_info(
            {**info, "token_uri": token_url}, scopes=[FCM_SCOPE]
        )
        self._expires = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        async with self._lock:
            if time.time() >= self._expires - TOKEN_MARGIN_SECONDS:
                await asyncio.to_thread(self._credentials.refresh, Request())
                expiry = self._credentials.expiry
                self._expires = expiry.timestamp() if expiry else time.time() + 3600
            return str(self._credentials.token)

    def forget(self) -> None:
        """The token was refused: fetch a new one on the next send."""
        self._expires = 0.0


class FcmClient:
    def __init__(
        self, *, base_url: str, project_id: str, tokens: AccessTokens, http: httpx.AsyncClient
    ) -> None:
        self.url = f"{base_url.rstrip('/')}/v1/projects/{project_id}/messages:send"
        self.tokens = tokens
        self.http = http

    async def send(self, message: dict[str, Any]) -> FcmAnswer:
        """Send one message; a refused access token is renewed and the send tried once more."""
        answer = await self._post(message)
        if answer.code == "UNAUTHENTICATED":
            self.tokens.forget()
            answer = await self._post(message)
        return answer

    async def _post(self, message: dict[str, Any]) -> FcmAnswer:
        headers = {"Authorization": f"Bearer {await self.tokens.get()}"}
        try:
            response = await self.http.post(self.url, json={"message": message}, headers=headers)
        except httpx.HTTPError as exc:
            return FcmAnswer(ok=False, code="NETWORK", message=str(exc), transient=True)
        if response.status_code == 200:
            return FcmAnswer(ok=True, name=response.json().get("name"))
        return parse_error(response)


def parse_error(response: httpx.Response) -> FcmAnswer:
    """Read FCM's error body: the FcmError code when given, else the RPC status."""
    try:
        error = response.json().get("error", {})
    except ValueError:
        error = {}
    details = error.get("details", []) if isinstance(error, dict) else []
    code = _fcm_code(details) or error.get("status") or f"HTTP_{response.status_code}"
    if response.status_code == 401:
        code = "UNAUTHENTICATED"
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    transient = code in TRANSIENT or response.status_code in (429, 500, 502, 503, 504)
    return FcmAnswer(
        ok=False,
        code=code,
        message=message,
        dead_token=code in DEAD_TOKEN or _bad_token(code, details, message),
        transient=transient or code == "UNAUTHENTICATED",
        retry_after=_retry_after(response),
    )


def _fcm_code(details: list[dict[str, Any]]) -> str | None:
    for detail in details:
        if str(detail.get("@type", "")).endswith("FcmError") and detail.get("errorCode"):
            return str(detail["errorCode"])
    return None


def _bad_token(code: str, details: list[dict[str, Any]], message: str) -> bool:
    """INVALID_ARGUMENT names the token (not the payload): the token is not a valid one."""
    if code != "INVALID_ARGUMENT":
        return False
    fields = {
        violation.get("field")
        for detail in details
        for violation in detail.get("fieldViolations", [])
    }
    return "message.token" in fields or "registration token" in message.lower()


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        return None
