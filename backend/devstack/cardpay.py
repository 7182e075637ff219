"""A local card payment provider for tests and `debtx dev`: a real HTTP server that keeps
the charges made on it, answers `GET /v1/charges/{id}` (bearer API key) as the provider's
API does, and sends Stripe-shaped webhooks (`charge.succeeded`, `charge.refunded`) to
DebtX signed `X-Card-Signature: t=<unix>,v1=<HMAC-SHA256 of "t.body">`: once, twice, late,
out of order or never, as the caller asks.

Run alone: `python -m backend.devstack.cardpay --port 8193 --webhook-url URL`, with the
key and secret from DEBTX_CARDS__API_KEY and DEBTX_CARDS__WEBHOOK_SECRET (defaults: the
development placeholders).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from backend.cards import signing
from backend.core.settings import CardSettings
from backend.devstack.local import QuietHandler, serve_until_interrupted


class LocalCardPay:
    """The provider on 127.0.0.1 (port 0: any free one), in a thread of this process."""

    def __init__(
        self, *, api_key: str, webhook_secret: str, webhook_url: str | None = None, port: int = 0
    ) -> None:
        self.api_key, self.webhook_secret, self.webhook_url = api_key, webhook_secret, webhook_url
        self.charges: dict[str, dict[str, Any]] = {}
        self.lookups: list[str] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def charge(
        self,
        amount: int,
        *,
        currency: str = "lkr",
        account_number: str | None = None,
        name: str | None = None,
        phone: str | None = None,
    ) -> dict[str, Any]:
        """A card charge that succeeded, kept for lookups; returns its object."""
        charge_id = f"ch_{uuid.uuid4().hex[:20]}"
        charge = {
            "id": charge_id, "object": "charge", "amount": amount, "amount_refunded": 0,
            "currency": currency, "created": int(time.time()), "status": "succeeded",
            "refunded": False, "metadata": {"account_number": account_number} if account_number
            else {}, "billing_details": {"name": name, "phone": phone},
        }  # fmt: skip
        with self._lock:
            self.charges[charge_id] = charge
        return dict(charge)

    def refund(self, charge_id: str) -> dict[str, Any]:
        """Refund the whole charge; returns its object as it is now."""
        with self._lock:
            charge = self.charges[charge_id]
            charge.update(refunded=True, amount_refunded=charge["amount"])
            return dict(charge)

    def event(self, kind: str, charge: dict[str, Any], *, event_id: str | None = None) -> dict:
        """The webhook event of `kind` about `charge`."""
        return {
            "id": event_id or f"evt_{uuid.uuid4().hex[:20]}",
            "object": "event",
            "type": kind,
            "created": int(time.time()),
            "data": {"object": charge},
        }

    def signed(
        self, event: dict, *, timestamp: int | None = None, secret: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """The event's body and headers as the provider sends them (signed now, unless
        told another time or secret)."""
        body = json.dumps(event).encode()
        stamp = int(time.time()) if timestamp is None else timestamp
        signature = signing.sign(secret or self.webhook_secret, stamp, body)
        return body, {"content-type": "application/json", signing.HEADER: signature}

    def send(self, event: dict, *, times: int = 1, delay: float = 0.0) -> list[int]:
        """Deliver the event to the webhook URL `times` times, `delay` seconds apart (each
        delivery signed afresh, as a provider's retry is); the statuses DebtX answered."""
        if self.webhook_url is None:
            raise RuntimeError("this provider has no webhook URL")
        statuses = []
        for n in range(times):
            if n or delay:
                time.sleep(delay)
            body, headers = self.signed(event)
            statuses.append(httpx.post(self.webhook_url, content=body, headers=headers).status_code)
        return statuses

    def answer(self, path: str, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """What the provider's API answers to a GET."""
        if path == "/healthz":
            return 200, {"ok": True}
        if authorization != f"Bearer {self.api_key}":
            return 401, {"error": {"type": "authentication_error"}}
        prefix = "/v1/charges/"
        with self._lock:
            charge = (
                self.charges.get(path.removeprefix(prefix)) if path.startswith(prefix) else None
            )
            if charge is None:
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing"}}
            self.lookups.append(charge["id"])
            return 200, dict(charge)

    def reset(self) -> None:
        with self._lock:
            self.charges.clear()
            self.lookups.clear()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _handler(provider: LocalCardPay) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            self.send_json(*provider.answer(self.path, self.headers.get("authorization")))

    return Handler


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8193)
    parser.add_argument("--webhook-url", default="http://127.0.0.1:8000/cards/webhook")
    args = parser.parse_args()
    defaults = CardSettings()
    provider = LocalCardPay(
        api_key=os.environ.get("DEBTX_CARDS__API_KEY", defaults.api_key.get_secret_value()),
        webhook_secret=os.environ.get(
            "DEBTX_CARDS__WEBHOOK_SECRET", defaults.webhook_secret.get_secret_value()
        ),
        webhook_url=args.webhook_url,
        port=args.port,
    )
    serve_until_interrupted(
        provider, f"card provider on {provider.base_url}, webhooks to {args.webhook_url}"
    )


if __name__ == "__main__":
    main()
