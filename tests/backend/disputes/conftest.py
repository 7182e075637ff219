"""Disputes are raised through the API as staff raise them; the dunning fixtures (clock,
local SMS gateway, SMTP and OSS servers) come from the dunning tests."""

from __future__ import annotations

from tests.backend.dunning.conftest import (  # noqa: F401  (fixtures)
    as_operator,
    edges,
    fcm_server,
    moving_clock,
    notify_settings,
    operator,
    oss,
    oss_server,
    senders,
    service_account,
    sms_server,
    smtp_server,
)


async def raise_one(client, headers, account_id: str, kind: str = "incorrect_charge", **fields):
    body = {"kind": kind, "account_id": account_id, "description": "Billed twice for May"}
    response = await client.post("/disputes", json={**body, **fields}, headers=headers)
    assert response.status_code == 201, response.text
    return response.json()


async def investigate(client, headers, dispute_id: str):
    return await client.post(f"/disputes/{dispute_id}/investigate", headers=headers)


async def resolve(client, headers, dispute_id: str, outcome: str, amount=None, note="Checked"):
    body = {"outcome": outcome, "note": note}
    if amount is not None:
        body["amount"] = {"amount": amount, "currency": "LKR"}
    return await client.post(f"/disputes/{dispute_id}/resolve", json=body, headers=headers)


async def settle_one(client, headers, dispute_id: str, outcome: str = "rejected", **kw):
    """Investigate then resolve: the dispute as resolved."""
    assert (await investigate(client, headers, dispute_id)).status_code == 200
    done = await resolve(client, headers, dispute_id, outcome, **kw)
    assert done.status_code == 200, done.text
    return done.json()
