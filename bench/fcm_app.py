"""A local FCM HTTP v1 endpoint for benchmarks: OAuth token grant, messages:send, counts.

Plain ASGI, so the server costs as little as possible and both sides of a comparison
pay the same. It accepts every message; `GET /stats` says how many it took.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


def create_app() -> Callable[[dict[str, Any], Receive, Send], Awaitable[None]]:
    counts = {"messages": 0, "tokens": 0}

    async def app(scope: dict[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return
        while (await receive()).get("more_body"):
            pass
        path = scope["path"]
        if path == "/token":
            counts["tokens"] += 1
            body: dict[str, Any] = {
                "access_token": f"ya29.bench-{counts['tokens']}",
                "expires_in": 3600,
                "token_type": "Bearer",
            }
        elif path.endswith("/messages:send"):
            counts["messages"] += 1
            project = path.split("/")[3]
            body = {"name": f"projects/{project}/messages/{counts['messages']}"}
        else:
            body = dict(counts)
        payload = json.dumps(body).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", b"%d" % len(payload)),
        ]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": payload})

    return app
