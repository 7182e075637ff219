"""A local OSS for tests and `debtx dev`: a real HTTP server that takes our signed
events at `POST /events`, checks their signature and timestamp, records each request,
applies each idempotency key once, and sends the acknowledgement callback back to
DebtX signed with the callback secret. It can fail the next N requests (to show the
retries) and answer late (to show the timeouts).

Run alone: `python -m backend.devstack.oss --port 8190 --callback-url URL`, with the
secrets from DEBTX_OSS__SIGNING_SECRET and DEBTX_OSS__CALLBACK_SECRET (defaults: the
development placeholders).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import threading
import time
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from backend.core.settings import OssSettings
from backend.devstack.local import QuietHandler, serve_until_interrupted
from backend.oss import signing

WINDOW_SECONDS = 300


@dataclass
class OssRequest:
    """One request as received, and what the server made of it."""

    path: str
    headers: dict[str, str]
    body: bytes
    verified: bool
    status: int = 0

    @property
    def json(self) -> dict[str, Any]:
        return json.loads(self.body)

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get(signing.IDEMPOTENCY_KEY)


class LocalOss:
    """OSS on 127.0.0.1 (port 0: any free one), in a thread of this process."""

    def __init__(
        self,
        *,
        signing_secret: str,
        callback_secret: str,
        callback_url: str | None = None,
        port: int = 0,
        auto_ack_seconds: float | None = None,
    ) -> None:
        self.signing_secret, self.callback_secret = signing_secret, callback_secret
        self.callback_url = callback_url
        self.auto_ack_seconds = auto_ack_seconds  # None: acknowledge only when told
        self.received: list[OssRequest] = []
        self.applied: dict[str, dict[str, Any]] = {}  # idempotency key -> the event
        self.fail_next, self.fail_status, self.delay = 0, 503, 0.0
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def fail(self, times: int, status: int = 503) -> None:
        """Answer the next `times` events with `status` (before applying them)."""
        with self._lock:
            self.fail_next, self.fail_status = times, status

    def answer_late(self, seconds: float) -> None:
        self.delay = seconds

    def reset(self) -> None:
        with self._lock:
            self.received.clear()
            self.applied.clear()
            self.fail_next, self.fail_status, self.delay = 0, 503, 0.0

    def take(self, request: OssRequest) -> tuple[int, dict[str, Any]]:
        """What OSS answers to one event."""
        timestamp = request.headers.get(signing.TIMESTAMP, "")
        signature = request.headers.get(signing.SIGNATURE, "")
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) <= WINDOW_SECONDS
        request.verified = fresh and signing.valid(
            self.signing_secret, timestamp, request.body, signature
        )
        with self._lock:
            self.received.append(request)
            if not request.verified:
                return 401, {"error": "bad signature or timestamp"}
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.fail_status, {"error": "OSS is unavailable"}
            key = request.idempotency_key or ""
            if key in self.applied:
                return 200, {"status": "already_received", "idempotency_key": key}
            self.applied[key] = request.json
        if self.auto_ack_seconds is not None:
            timer = threading.Timer(self.auto_ack_seconds, self._auto_ack, args=(key,))
            timer.daemon = True
            timer.start()
        return 202, {"status": "accepted", "idempotency_key": key}

    def callback(
        self,
        idempotency_key: str,
        *,
        nonce: str | None = None,
        result: str = "done",
        timestamp: int | None = None,
    ) -> tuple[bytes, dict[str, str]]:
        """The acknowledgement OSS sends for an event: its body and signed headers."""
        body = json.dumps(
            {
                "idempotency_key": idempotency_key,
                "nonce": nonce or uuid.uuid4().hex,
                "result": result,
            }
        ).encode()
        stamp = str(timestamp if timestamp is not None else int(time.time()))
        return body, {
            "content-type": "application/json",
            signing.CALLBACK_TIMESTAMP: stamp,
            signing.CALLBACK_SIGNATURE: signing.sign(self.callback_secret, stamp, body),
        }

    def acknowledge(self, idempotency_key: str, **options: Any) -> httpx.Response:
        """Send the acknowledgement to DebtX's callback URL."""
        if self.callback_url is None:
            raise RuntimeError("this OSS has no callback URL")
        body, headers = self.callback(idempotency_key, **options)
        return httpx.post(self.callback_url, content=body, headers=headers, timeout=10)

    def _auto_ack(self, key: str) -> None:
        # DebtX down: the event stays delivered, where operator staff see it
        with contextlib.suppress(httpx.HTTPError):
            self.acknowledge(key)

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler(oss: LocalOss) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("content-length", 0)))
            headers = {k.lower(): v for k, v in self.headers.items()}
            request = OssRequest(self.path, headers, raw, verified=False)
            status, answer = (404, {"error": "no such route"})
            if self.path == "/events":
                status, answer = oss.take(request)
            request.status = status
            if oss.delay:
                time.sleep(oss.delay)
            self.send_json(status, answer)

        def do_GET(self) -> None:
            self.send_response(200 if self.path == "/healthz" else 404)
            self.send_header("content-length", "0")
            self.end_headers()

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--callback-url", default="http://127.0.0.1:8000/oss/callbacks")
    parser.add_argument("--ack-after", type=float, default=2.0, help="seconds; <0: never")
    args = parser.parse_args()
    defaults = OssSettings()
    oss = LocalOss(
        signing_secret=os.environ.get(
            "DEBTX_OSS__SIGNING_SECRET", defaults.signing_secret.get_secret_value()
        ),
        callback_secret=os.environ.get(
            "DEBTX_OSS__CALLBACK_SECRET", defaults.callback_secret.get_secret_value()
        ),
        callback_url=args.callback_url,
        port=args.port,
        auto_ack_seconds=args.ack_after if args.ack_after >= 0 else None,
    )
    serve_until_interrupted(
        oss, f"local OSS on {oss.base_url}, acknowledging to {args.callback_url}"
    )


if __name__ == "__main__":
    main()
