"""Daraja's credentials, its tokens and the callback token never reach the logs."""

from __future__ import annotations

import logging

from tests.backend.mpesa.helpers import kenyan_case, push_args
from tests.factories import bearer

JSON = {"content-type": "application/json"}


async def test_credentials_never_appear_in_the_logs(
    app, client, signing_key, mpesa, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    case, officer = await kenyan_case()
    headers = bearer(signing_key, officer)
    answer = await client.post("/mpesa/stk-push", json=push_args(case), headers=headers)
    assert answer.status_code == 201, answer.text
    await mpesa.settled(answer.json()["id"])
    wrong = mpesa.settings.model_copy(update={"consumer_secret": mpesa.settings.passkey})
    monkeypatch.setattr(app.state.settings, "mpesa", wrong)
    refused = await client.post("/mpesa/stk-push", json=push_args(case), headers=headers)
    assert refused.status_code == 503
    await client.post("/mpesa/callbacks/stk", params={"token": "guess"}, json={}, headers=JSON)
    token = {"token": mpesa.settings.callback_token.get_secret_value()}
    await client.post("/mpesa/callbacks/c2b/validation", params=token, content=b"{", headers=JSON)

    logged = "\n".join(f"{r.getMessage()} {r.__dict__}" for r in caplog.records)
    for event in ("mpesa.stk.sent", "mpesa.token.refused", "mpesa.callback.refused"):
        assert event in logged
    secrets = [
        mpesa.settings.consumer_key.get_secret_value(),
        mpesa.settings.consumer_secret.get_secret_value(),
        mpesa.settings.passkey.get_secret_value(),
        mpesa.settings.callback_token.get_secret_value(),
        *mpesa.server.tokens,
        *(body["Password"] for path, body in mpesa.server.received if "Password" in body),
    ]
    assert len(secrets) >= 6
    for secret in secrets:
        assert secret not in logged
