"""What the local providers (OSS, Daraja, the bank, the card provider) share: a quiet
HTTP/1.1 request handler that answers bodies and JSON, and running one alone."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any, Protocol


class Closable(Protocol):
    def close(self) -> None: ...


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and lets a caller that gave up go."""

    protocol_version = "HTTP/1.1"

    def send_body(self, status: int, body: bytes, kind: str = "application/json") -> None:
        """Answer `status` with `body`; a caller that stopped waiting is not an error."""
        try:
            self.send_response(status)
            self.send_header("content-type", kind)
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the caller gave up waiting (a timeout test)

    def send_json(self, status: int, answer: Any) -> None:
        self.send_body(status, json.dumps(answer).encode())

    def log_message(self, *_: object) -> None:
        pass


def serve_until_interrupted(server: Closable, banner: str) -> None:
    """Run a local provider from the command line until Ctrl-C, saying where it is."""
    print(banner, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.close()
