"""A local Safaricom Daraja for tests and `debtx dev`: a real HTTP server speaking the
parts of Daraja DebtX uses. OAuth client credentials (Basic auth) give a bearer token;
an STK push is checked (token, shortcode, password = base64(shortcode + passkey +
timestamp), fields) and its callback is sent to the request's CallBackURL with the
outcome scripted per test: paid, cancelled (1032), timed out (1037), wrong PIN (2001),
sent twice, late, before the push is even answered, or never. The STK status query
answers what the customer did. C2B: URLs are registered per shortcode and a simulated
paybill payment sends the validation and then the confirmation (N times if asked).

Run alone: `python -m backend.devstack.daraja --port 8194`, with the credentials from
DEBTX_MPESA__* (defaults: the development placeholders).
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from backend.core.settings import MpesaSettings
from backend.devstack.local import QuietHandler, serve_until_interrupted

EAT = timezone(timedelta(hours=3))
TOKEN_SECONDS = 3599
PAID, CANCELLED, TIMED_OUT, WRONG_PIN = 0, 1032, 1037, 2001
_DESCRIPTIONS = {
    PAID: "The service request is processed successfully.",
    CANCELLED: "Request cancelled by user",
    TIMED_OUT: "DS timeout user cannot be reached",
    WRONG_PIN: "The initiator information is invalid.",
}
_STK_FIELDS = (
    "BusinessShortCode",
    "Password",
    "Timestamp",
    "TransactionType",
    "Amount",
    "PartyA",
    "PartyB",
    "PhoneNumber",
    "CallBackURL",
    "AccountReference",
    "TransactionDesc",
)


@dataclass
class Outcome:
    """What the customer does with the next STK prompt, and how its callback travels."""

    result_code: int = PAID
    delay: float = 0.05  # seconds before the customer acts and the callback goes
    deliveries: int = 1  # 0: the callback never arrives (the status query still knows)
    early: bool = False  # the callback is sent before the push request is answered
    receipt: str | None = None  # MpesaReceiptNumber; a fresh one when None


@dataclass
class StkSession:
    """One STK push as Daraja holds it."""

    merchant_request_id: str
    checkout_request_id: str
    request: dict[str, Any]
    outcome: Outcome
    done_at: float  # when the customer has acted (monotonic)
    receipt: str
    callbacks: list[int] = field(default_factory=list)  # HTTP status of each delivery


@dataclass
class C2BPayment:
    """One simulated paybill payment: what validation said, then each confirmation."""

    body: dict[str, Any]
    validation: dict[str, Any] | None = None
    confirmations: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


class LocalDaraja:
    """Daraja on 127.0.0.1 (port 0: any free one), in a thread of this process."""

    def __init__(
        self,
        *,
        consumer_key: str,
        consumer_secret: str,
        shortcode: str,
        passkey: str,
        port: int = 0,
    ) -> None:
        self.consumer_key, self.consumer_secret = consumer_key, consumer_secret
        self.shortcode, self.passkey = shortcode, passkey
        self.tokens: dict[str, float] = {}
        self.token_requests = 0
        self.sessions: dict[str, StkSession] = {}
        self.registered: dict[str, dict[str, str]] = {}  # shortcode -> URLs, response type
        self.received: list[tuple[str, dict[str, Any]]] = []  # (path, body) as received
        self._outcomes: deque[Outcome] = deque()
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", port), _handler(self))
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    @classmethod
    def for_settings(cls, settings: MpesaSettings, port: int = 0) -> LocalDaraja:
        return cls(
            consumer_key=settings.consumer_key.get_secret_value(),
            consumer_secret=settings.consumer_secret.get_secret_value(),
            shortcode=settings.shortcode,
            passkey=settings.passkey.get_secret_value(),
            port=port,
        )

    def script(self, *outcomes: Outcome) -> None:
        """The next STK pushes get these outcomes in turn (then: paid, promptly)."""
        with self._lock:
            self._outcomes.extend(outcomes)

    def reset(self) -> None:
        with self._lock:
            self._outcomes.clear()
            self.sessions.clear()
            self.registered.clear()
            self.received.clear()
            self.tokens.clear()
            self.token_requests = 0

    # OAuth
    def issue_token(self, authorization: str) -> tuple[int, dict[str, Any]]:
        expected = base64.b64encode(f"{self.consumer_key}:{self.consumer_secret}".encode())
        if authorization != f"Basic {expected.decode()}":
            return 400, {"errorCode": "400.008.01", "errorMessage": "Invalid Authentication"}
        token = base64.urlsafe_b64encode(f"tok{next(self._ids)}{time.time_ns()}".encode())
        with self._lock:
            self.tokens[token.decode()] = time.monotonic() + TOKEN_SECONDS
            self.token_requests += 1
        return 200, {"access_token": token.decode(), "expires_in": str(TOKEN_SECONDS)}

    def authorized(self, authorization: str) -> bool:
        token = authorization.removeprefix("Bearer ")
        return authorization.startswith("Bearer ") and self.tokens.get(token, 0) > time.monotonic()

    # STK push
    def stk_push(self, body: dict[str, Any]) -> tuple[int, dict[str, Any], StkSession | None]:
        """Daraja's answer to a push, and the session it opened (None: refused)."""
        problem = self._stk_problem(body)
        if problem is not None:
            return 400, {"errorCode": "400.002.02", "errorMessage": problem}, None
        n = next(self._ids)
        with self._lock:
            outcome = self._outcomes.popleft() if self._outcomes else Outcome()
        session = StkSession(
            merchant_request_id=f"29115-{n}-1",
            checkout_request_id=f"ws_CO_{datetime.now(EAT):%d%m%Y%H%M%S}{n:06d}",
            request=body,
            outcome=outcome,
            done_at=time.monotonic() + outcome.delay,
            receipt=outcome.receipt or f"SKL{n:07d}",
        )
        with self._lock:
            self.sessions[session.checkout_request_id] = session
        answer = {
            "MerchantRequestID": session.merchant_request_id,
            "CheckoutRequestID": session.checkout_request_id,
            "ResponseCode": "0",
            "ResponseDescription": "Success. Request accepted for processing",
            "CustomerMessage": "Success. Request accepted for processing",
        }
        return 200, answer, session

    def _stk_problem(self, body: dict[str, Any]) -> str | None:
        missing = [name for name in _STK_FIELDS if body.get(name) in (None, "")]
        if missing:
            return f"Invalid request: {', '.join(missing)} missing"
        if str(body["BusinessShortCode"]) != self.shortcode:
            return "Invalid BusinessShortCode"
        stamp = str(body["Timestamp"])
        try:
            datetime.strptime(stamp, "%Y%m%d%H%M%S")
        except ValueError:
            return "Invalid Timestamp"
        password = base64.b64encode(f"{self.shortcode}{self.passkey}{stamp}".encode()).decode()
        if body["Password"] != password:
            return "Invalid Password"
        if body["TransactionType"] not in ("CustomerPayBillOnline", "CustomerBuyGoodsOnline"):
            return "Invalid TransactionType"
        amount = body["Amount"]
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            return "Invalid Amount"
        if not str(body["PhoneNumber"]).isdigit() or not str(body["PhoneNumber"]).startswith("254"):
            return "Invalid PhoneNumber"
        return None

    def start_callbacks(self, session: StkSession) -> None:
        """Send the session's callbacks (after its delay) in a thread of their own."""
        if session.outcome.early:
            self._deliver(session)
            return
        thread = threading.Thread(target=self._deliver_later, args=(session,), daemon=True)
        thread.start()

    def _deliver_later(self, session: StkSession) -> None:
        time.sleep(max(session.done_at - time.monotonic(), 0))
        self._deliver(session)

    def _deliver(self, session: StkSession, times: int | None = None) -> None:
        for _ in range(session.outcome.deliveries if times is None else times):
            status = _post(session.request["CallBackURL"], self.stk_callback(session))
            session.callbacks.append(status)

    def deliver_late(self, checkout_request_id: str, times: int = 1) -> list[int]:
        """Send a session's callback now (again, or at last); the HTTP status of each."""
        session = self.sessions[checkout_request_id]
        self._deliver(session, times)
        return session.callbacks[-times:]

    def stk_callback(self, session: StkSession) -> dict[str, Any]:
        """The callback body Daraja sends for the session's outcome."""
        code = session.outcome.result_code
        callback: dict[str, Any] = {
            "MerchantRequestID": session.merchant_request_id,
            "CheckoutRequestID": session.checkout_request_id,
            "ResultCode": code,
            "ResultDesc": _DESCRIPTIONS.get(code, "The transaction failed"),
        }
        if code == PAID:
            callback["CallbackMetadata"] = {
                "Item": [
                    {"Name": "Amount", "Value": session.request["Amount"]},
                    {"Name": "MpesaReceiptNumber", "Value": session.receipt},
                    {"Name": "Balance"},
                    {"Name": "TransactionDate", "Value": int(f"{datetime.now(EAT):%Y%m%d%H%M%S}")},
                    {"Name": "PhoneNumber", "Value": int(session.request["PhoneNumber"])},
                ]
            }
        return {"Body": {"stkCallback": callback}}

    def stk_query(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """What Daraja says of a push: its result once the customer acted, else in progress."""
        session = self.sessions.get(str(body.get("CheckoutRequestID")))
        if session is None or str(body.get("BusinessShortCode")) != self.shortcode:
            return 500, {"errorCode": "500.001.1001", "errorMessage": "No such request"}
        if time.monotonic() < session.done_at:
            return 500, {
                "errorCode": "500.001.1001",
                "errorMessage": "The transaction is being processed",
            }
        code = session.outcome.result_code
        return 200, {
            "ResponseCode": "0",
            "ResponseDescription": "The service request has been accepted successsfully",
            "MerchantRequestID": session.merchant_request_id,
            "CheckoutRequestID": session.checkout_request_id,
            "ResultCode": str(code),
            "ResultDesc": _DESCRIPTIONS.get(code, "The transaction failed"),
        }

    # C2B
    def register_urls(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        urls = {k: str(body.get(k) or "") for k in ("ConfirmationURL", "ValidationURL")}
        if str(body.get("ShortCode")) != self.shortcode or not urls["ConfirmationURL"]:
            return 400, {"errorCode": "400.003.02", "errorMessage": "Bad Request"}
        urls["ResponseType"] = str(body.get("ResponseType") or "Completed")
        with self._lock:
            self.registered[self.shortcode] = urls
        return 200, {
            "OriginatorCoversationID": f"{next(self._ids)}-c2b",
            "ResponseCode": "0",
            "ResponseDescription": "Success",
        }

    def pay_bill(
        self,
        *,
        amount: int | str,
        msisdn: str,
        bill_ref: str,
        repeat: int = 1,
        shortcode: str | None = None,
        first_name: str = "JOHN",
    ) -> C2BPayment:
        """A customer pays the paybill: validation (if registered), then confirmations."""
        urls = self.registered.get(self.shortcode)
        if urls is None:
            raise RuntimeError("no C2B URLs are registered for this shortcode")
        payment = C2BPayment(body=self._c2b_body(amount, msisdn, bill_ref, shortcode, first_name))
        if urls.get("ValidationURL"):
            payment.validation = _post_json(urls["ValidationURL"], payment.body)
            if str(payment.validation.get("ResultCode")) != "0":
                return payment  # refused: Daraja reverses the payment, no confirmation
        payment.body["OrgAccountBalance"] = "49197.00"
        for _ in range(repeat):
            status, answer = _post_answer(urls["ConfirmationURL"], payment.body)
            payment.confirmations.append((status, answer))
        return payment

    def _c2b_body(
        self, amount: int | str, msisdn: str, bill_ref: str, shortcode: str | None, name: str
    ) -> dict[str, Any]:
        return {
            "TransactionType": "Pay Bill",
            "TransID": f"RKT{next(self._ids):07d}",
            "TransTime": f"{datetime.now(EAT):%Y%m%d%H%M%S}",
            "TransAmount": str(amount),
            "BusinessShortCode": shortcode or self.shortcode,
            "BillRefNumber": bill_ref,
            "InvoiceNumber": "",
            "OrgAccountBalance": "",
            "ThirdPartyTransID": "",
            "MSISDN": msisdn,
            "FirstName": name,
            "MiddleName": "",
            "LastName": "",
        }

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


def _post_answer(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    try:
        response = httpx.post(url, json=body, timeout=30)
    except httpx.HTTPError as exc:
        return 0, {"error": str(exc)}
    try:
        answer = response.json()
    except ValueError:
        answer = {"text": response.text}
    return response.status_code, answer if isinstance(answer, dict) else {"answer": answer}


def _post_json(url: str, body: dict[str, Any]) -> dict[str, Any]:
    return _post_answer(url, body)[1]


def _post(url: str, body: dict[str, Any]) -> int:
    return _post_answer(url, body)[0]


def _handler(daraja: LocalDaraja) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"daraja": daraja})


class _Handler(QuietHandler):
    daraja: LocalDaraja

    def do_GET(self) -> None:
        if self.path == "/healthz":
            self._answer(200, {"status": "ok"})
        elif self.path.startswith("/oauth/v1/generate?grant_type=client_credentials"):
            self._answer(*self.daraja.issue_token(self.headers.get("authorization", "")))
        else:
            self._answer(404, {"errorMessage": "Resource not found"})

    def do_POST(self) -> None:
        raw = self.rfile.read(int(self.headers.get("content-length", 0)))
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            self._answer(400, {"errorCode": "400.002.02", "errorMessage": "Bad Request"})
            return
        with self.daraja._lock:
            self.daraja.received.append((self.path, body))
        if not self.daraja.authorized(self.headers.get("authorization", "")):
            self._answer(401, {"errorCode": "404.001.03", "errorMessage": "Invalid Token"})
            return
        self._route(body)

    def _route(self, body: dict[str, Any]) -> None:
        if self.path == "/mpesa/stkpush/v1/processrequest":
            status, answer, session = self.daraja.stk_push(body)
            if session is not None:
                self.daraja.start_callbacks(session)
            self._answer(status, answer)
        elif self.path == "/mpesa/stkpushquery/v1/query":
            self._answer(*self.daraja.stk_query(body))
        elif self.path in ("/mpesa/c2b/v1/registerurl", "/mpesa/c2b/v2/registerurl"):
            self._answer(*self.daraja.register_urls(body))
        elif self.path in ("/mpesa/c2b/v1/simulate", "/mpesa/c2b/v2/simulate"):
            self._simulate(body)
        else:
            self._answer(404, {"errorMessage": "Resource not found"})

    def _simulate(self, body: dict[str, Any]) -> None:
        try:
            payment = self.daraja.pay_bill(
                amount=body["Amount"],
                msisdn=str(body["Msisdn"]),
                bill_ref=str(body.get("BillRefNumber") or ""),
                repeat=int(body.get("Repeat", 1)),
            )
        except (KeyError, ValueError, RuntimeError) as exc:
            self._answer(400, {"errorCode": "400.002.02", "errorMessage": str(exc)})
            return
        self._answer(
            200,
            {
                "OriginatorCoversationID": payment.body["TransID"],
                "ResponseCode": "0",
                "ResponseDescription": "Accept the service request successfully.",
            },
        )

    def _answer(self, status: int, answer: dict[str, Any]) -> None:
        self.send_json(status, answer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8194)
    parser.add_argument(
        "--register-c2b", action="store_true", help="start with DebtX's C2B URLs registered"
    )
    args = parser.parse_args()
    from backend.core.settings import get_settings
    from backend.mpesa import urls

    settings = get_settings().mpesa
    daraja = LocalDaraja.for_settings(settings, port=args.port)
    if args.register_c2b:
        daraja.registered[daraja.shortcode] = {
            "ConfirmationURL": urls.callback_url(settings, urls.C2B_CONFIRMATION),
            "ValidationURL": urls.callback_url(settings, urls.C2B_VALIDATION),
            "ResponseType": "Cancelled",
        }
    serve_until_interrupted(
        daraja, f"local Daraja on {daraja.base_url}, paybill {daraja.shortcode}"
    )


if __name__ == "__main__":
    main()
