"""The SMS gateway's sending side (for sends after a reply) and helpers that call our
inbound webhook as the gateway does: a JSON body signed with the shared secret."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from backend.core.settings import ResponseSettings
from backend.responses.models import Response
from backend.responses.sms import SIGNATURE_HEADER, signature
from tests.backend.notifications.conftest import (  # noqa: F401  (fixtures)
    edges,
    fcm_server,
    notify_settings,
    senders,
    service_account,
    sms_server,
    smtp_server,
)
from tests.backend.responses.dovecot import PASSWORD, USER, DovecotServer

_ids = iter(range(1, 1_000_000))


def gateway_secret(client: httpx.AsyncClient) -> str:
    app = client._transport.app  # type: ignore[attr-defined]
    return app.state.settings.responses.sms_webhook_secret.get_secret_value()


async def post_signed(
    client: httpx.AsyncClient, path: str, payload: dict[str, Any], *, secret: str | None = None
) -> httpx.Response:
    body = json.dumps(payload).encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: signature(secret or gateway_secret(client), body),
    }
    return await client.post(path, content=body, headers=headers)


async def reply(client: httpx.AsyncClient, sender: str, text: str, **fields: Any) -> httpx.Response:
    payload = {"message_id": f"gw-{next(_ids)}", "from": sender, "to": "DebtX", "text": text}
    return await post_signed(client, "/webhooks/sms/inbound", {**payload, **fields})


@pytest.fixture(scope="session")
def dovecot() -> Iterator[DovecotServer]:
    try:
        server = DovecotServer()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.close()


@pytest.fixture
def mailbox_settings(dovecot: DovecotServer) -> ResponseSettings:
    dovecot.empty()
    return ResponseSettings(
        imap_host="127.0.0.1",
        imap_port=dovecot.port,
        imap_user=USER,
        imap_password=PASSWORD,
        imap_tls=False,
    )


async def by_sender(sender: str) -> list[Response]:
    """Stored replies from `sender` (stored sealed, so compared once read)."""
    return [r for r in await Response.find({}).sort("_id").to_list() if r.sender == sender]
