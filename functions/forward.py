"""Hand one outbox document to the DebtX API, which reads and applies it itself.

Plain Python with httpx only, so it runs, and is tested, without the Functions runtime.
Only the document's uid and id travel: the API never trusts a payload from here.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any
from urllib.parse import quote

import httpx

log = logging.getLogger("debtx.functions")

HEADER = "X-DebtX-Internal-Token"
# Worth trying again: the API restarting, overloaded or briefly unreachable.
TRANSIENT = frozenset({408, 425, 429, 500, 502, 503, 504})


class ForwardFailed(Exception):
    """The API did not take the document; `transient` says whether trying later may help."""

    def __init__(self, message: str, *, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


def forward(
    uid: str,
    doc_id: str,
    *,
    backend_url: str | None = None,
    token: str | None = None,
    attempts: int = 5,
    backoff_seconds: float = 0.5,
    timeout_seconds: float = 20.0,
    transport: httpx.BaseTransport | None = None,
) -> dict[str, Any]:
    """POST the document's address to the API's internal route; its answer on success.

    Transient failures are retried with exponential backoff; a permanent one (a wrong
    token, a malformed id) raises at once, since no retry can fix it.
    """
    base = backend_url or os.environ["DEBTX_BACKEND_URL"]
    secret = token or os.environ["DEBTX_INTERNAL_TOKEN"]
    url = f"{base.rstrip('/')}/sync/outbox/{quote(uid, safe='')}/{quote(doc_id, safe='')}"
    problem = "not tried"
    with httpx.Client(timeout=timeout_seconds, transport=transport) as http:
        for attempt in range(attempts):
            if attempt:
                time.sleep(backoff_seconds * 2 ** (attempt - 1))
            try:
                response = http.post(url, headers={HEADER: secret})
            except httpx.TransportError as exc:
                problem = f"{type(exc).__name__}: {exc}"
                log.warning("outbox.forward.unreachable %s/%s: %s", uid, doc_id, problem)
                continue
            if response.status_code == 200:
                return response.json()
            problem = f"HTTP {response.status_code}: {response.text[:500]}"
            if response.status_code not in TRANSIENT:
                raise ForwardFailed(problem, transient=False)
            log.warning("outbox.forward.transient %s/%s: %s", uid, doc_id, problem)
    raise ForwardFailed(f"gave up after {attempts} attempts: {problem}", transient=True)
