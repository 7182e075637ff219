"""Local stand-ins for the far edges: FCM HTTP v1 with Google's OAuth token endpoint, an
HTTP SMS gateway, and SMTP (aiosmtpd). Each records exactly what it received."""

from __future__ import annotations

import itertools
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import jwt
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from backend.devstack.components import free_port

FCM_SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


Answer = tuple[int, dict[str, Any], dict[str, str]]  # status, JSON body, extra headers


class Recorder:
    """A threaded HTTP server on 127.0.0.1 that records requests and answers via `answer`."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self._lock = threading.Lock()
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length", 0)))
                request = Received(
                    "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, raw
                )
                status, body, headers = recorder.handle(request)
                payload = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *_: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._httpd.server_address[1]}"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def handle(self, request: Received) -> Answer:
        raise NotImplementedError

    def record(self, request: Received) -> None:
        with self._lock:
            self.received.append(request)

    def reset(self) -> None:
        with self._lock:
            self.received.clear()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class ServiceAccount:
    """A service-account key file like the one Firebase hands out, with a fresh key."""

    def __init__(self, directory: Path, project_id: str) -> None:
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.public_key = key.public_key()
        self.email = f"firebase-adminsdk@{project_id}.iam.gserviceaccount.com"
        self.project_id = project_id
        self.path = directory / "service-account.json"
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        self.path.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": project_id,
                    "private_key_id": "test-key-1",
                    "private_key": pem,
                    "client_email": self.email,
                    "client_id": "1234567890",
                    "token_uri": "https://oauth2.googleapis.com/token",
                }
            )
        )


class FcmServer(Recorder):
    """`POST /token` (OAuth2 JWT-bearer grant, assertion verified against the service
    account's public key) and `POST /v1/projects/<p>/messages:send`.

    `answers[token]` lists answers to give, in turn, for messages to that device token
    (then 200); `refuse_access_token` makes the next send answer 401 once.
    """

    def __init__(self, account: ServiceAccount) -> None:
        self.account = account
        self.answers: dict[str, list[Answer]] = {}
        self.issued: list[str] = []
        self.refuse_access_token = False
        self._ids = itertools.count(1)
        super().__init__()
        self.token_url = f"{self.base_url}/token"

    def reset(self) -> None:
        super().reset()
        self.answers.clear()
        self.issued.clear()
        self.refuse_access_token = False
        self._ids = itertools.count(1)

    @property
    def sends(self) -> list[Received]:
        return [r for r in self.received if r.path.endswith("/messages:send")]

    def handle(self, request: Received) -> Answer:
        if request.path == "/token":
            return self._token(request)
        request.body = json.loads(request.body)
        self.record(request)
        expected = f"/v1/projects/{self.account.project_id}/messages:send"
        if request.path != expected:
            return 404, {"error": {"code": 404, "status": "NOT_FOUND"}}, {}
        if request.headers.get("authorization") not in {f"Bearer {t}" for t in self.issued}:
            return 401, _error(401, "UNAUTHENTICATED", "Request had invalid credentials."), {}
        if self.refuse_access_token:
            self.refuse_access_token = False
            return 401, _error(401, "UNAUTHENTICATED", "Request had invalid credentials."), {}
        token = request.body["message"].get("token")
        queued = self.answers.get(token) or []
        if queued:
            return queued.pop(0)
        name = f"projects/{self.account.project_id}/messages/{next(self._ids)}"
        return 200, {"name": name}, {}

    def _token(self, request: Received) -> Answer:
        form = parse_qs(request.body.decode())
        request.body = form
        self.record(request)
        try:
            # google-auth signs for Google's token URL whatever URL it posts to
            claims = jwt.decode(
                form["assertion"][0],
                self.account.public_key,
                algorithms=["RS256"],
                audience=GOOGLE_TOKEN_URL,
            )
        except (KeyError, jwt.PyJWTError) as exc:
            return 400, {"error": "invalid_grant", "error_description": str(exc)}, {}
        grant = form.get("grant_type") == ["urn:ietf:params:oauth:grant-type:jwt-bearer"]
        if not grant or claims["iss"] != self.account.email:
            return 400, {"error": "invalid_grant"}, {}
        if FCM_SCOPE not in claims.get("scope", "").split():
            return 400, {"error": "invalid_scope"}, {}
        token = f"ya29.test-access-{len(self.issued) + 1}"
        self.issued.append(token)
        return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}, {}


def _error(code: int, status: str, message: str, **fcm: Any) -> dict[str, Any]:
    details: list[dict[str, Any]] = []
    if "error_code" in fcm:
        details.append(
            {
                "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                "errorCode": fcm["error_code"],
            }
        )
    if "field" in fcm:
        details.append(
            {
                "@type": "type.googleapis.com/google.rpc.BadRequest",
                "fieldViolations": [{"field": fcm["field"], "description": message}],
            }
        )
    return {"error": {"code": code, "message": message, "status": status, "details": details}}


# FCM's answers, as documented for HTTP v1 (ErrorCode and the google.rpc status).
UNREGISTERED: Answer = (
    404,
    _error(404, "NOT_FOUND", "Requested entity was not found.", error_code="UNREGISTERED"),
    {},
)
INVALID_TOKEN: Answer = (
    400,
    _error(
        400,
        "INVALID_ARGUMENT",
        "The registration token is not a valid FCM registration token",
        error_code="INVALID_ARGUMENT",
        field="message.token",
    ),
    {},
)
INVALID_PAYLOAD: Answer = (
    400,
    _error(
        400,
        "INVALID_ARGUMENT",
        "Invalid value at 'message.data[0].value'",
        error_code="INVALID_ARGUMENT",
        field="message.data[0].value",
    ),
    {},
)
UNAVAILABLE: Answer = (
    503,
    _error(503, "UNAVAILABLE", "The service is currently unavailable.", error_code="UNAVAILABLE"),
    {"retry-after": "2"},
)


class SmsServer(Recorder):
    """An HTTP SMS gateway: `POST /sms` with a JSON body; `fail_next` lists statuses to
    answer before accepting again."""

    def __init__(self) -> None:
        self.fail_next: list[int] = []
        self._ids = itertools.count(1)
        super().__init__()
        self.url = f"{self.base_url}/sms"

    def reset(self) -> None:
        super().reset()
        self.fail_next.clear()

    def handle(self, request: Received) -> Answer:
        request.body = json.loads(request.body)
        self.record(request)
        if self.fail_next:
            status = self.fail_next.pop(0)
            return status, {"error": "try later"}, {}
        return 202, {"id": f"sms-{next(self._ids)}", "status": "queued"}, {}


@dataclass
class Mail:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class _Inbox:
    mails: list[Mail] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        self.mails.append(Mail(envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd on a free port; `mails` holds every message received, parsed."""

    def __init__(self) -> None:
        self.inbox = _Inbox()
        self.port = free_port()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        try:
            self.controller.start()
        except Exception as exc:
            raise RuntimeError(
                f"aiosmtpd could not start ({exc}); install the dev extra: pip install -e '.[dev]'"
            ) from exc

    @property
    def mails(self) -> list[Mail]:
        return self.inbox.mails

    def reset(self) -> None:
        self.inbox.mails.clear()

    def close(self) -> None:
        self.controller.stop()


def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    """Poll a condition met by another process (a worker) until it holds or time runs out."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()
