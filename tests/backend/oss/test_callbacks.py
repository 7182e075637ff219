"""OSS's acknowledgement callback: signed, fresh and new, or refused with nothing changed."""

from __future__ import annotations

import time

from backend.audit.models import AuditRecord
from backend.oss import service, signing
from backend.oss.models import CureRecord, CureStatus, EventStatus, OssEvent, ServiceStatus
from backend.users.models import Role
from tests.factories import bearer, make_user

ACCOUNT = "ACC-00880001"


async def _delivered(oss) -> str:
    event = await service.request_suspension(account_id=ACCOUNT, reason="final notice unanswered")
    await oss.deliver(event.id)
    return event.idempotency_key


async def _post(client, oss, key: str, **options):
    body, headers = oss.server.callback(key, **options)
    return await client.post("/oss/callbacks", content=body, headers=headers)


async def test_the_acknowledgement_marks_the_account_suspended_and_opens_its_cure(
    oss, client, signing_key
):
    key = await _delivered(oss)
    answer = await _post(client, oss, key)
    assert answer.status_code == 200, answer.text
    assert answer.json()["event_status"] == "acknowledged"
    assert answer.json()["service_status"] == "suspended"
    [event] = await OssEvent.find_all().to_list()
    assert event.status is EventStatus.ACKNOWLEDGED and event.acknowledged_at is not None
    assert (await service.service_state(ACCOUNT)).status is ServiceStatus.SUSPENDED
    [cure] = await CureRecord.find_all().to_list()
    assert cure.status is CureStatus.OPEN and cure.cycle == 1

    operator = await make_user(Role.OPERATOR_ADMIN)
    shown = await client.get(f"/oss/accounts/{ACCOUNT}", headers=bearer(signing_key, operator))
    assert shown.status_code == 200 and shown.json()["status"] == "suspended"
    officer = await make_user(Role.RECOVERY_OFFICER)
    hidden = await client.get(f"/oss/accounts/{ACCOUNT}", headers=bearer(signing_key, officer))
    assert hidden.status_code == 403


async def _unchanged(audits: int) -> None:
    assert (await service.service_state(ACCOUNT)).status is ServiceStatus.SUSPENSION_REQUESTED
    assert await CureRecord.count() == 0
    [event] = await OssEvent.find_all().to_list()
    assert event.status is EventStatus.DELIVERED
    assert await AuditRecord.count() == audits


async def test_a_replayed_callback_is_refused(oss, client):
    key = await _delivered(oss)
    body, headers = oss.server.callback(key, nonce="nonce-replayed-0001")
    assert (await client.post("/oss/callbacks", content=body, headers=headers)).status_code == 200
    audits = await AuditRecord.count()
    again = await client.post("/oss/callbacks", content=body, headers=headers)
    assert again.status_code == 409
    assert again.headers["content-type"].startswith("application/problem+json")
    assert again.json()["code"] == "oss.callback_replayed"
    fresh_nonce = await _post(client, oss, key)  # the same event acknowledged twice
    assert fresh_nonce.status_code == 409 and fresh_nonce.json()["code"] == "oss.callback_replayed"
    assert await AuditRecord.count() == audits


async def test_a_callback_outside_the_window_is_refused(oss, client):
    key = await _delivered(oss)
    audits = await AuditRecord.count()
    stale = await _post(client, oss, key, timestamp=int(time.time()) - 3600)
    assert stale.status_code == 409 and stale.json()["code"] == "oss.callback_replayed"
    await _unchanged(audits)


async def test_a_tampered_callback_is_refused(oss, client):
    key = await _delivered(oss)
    audits = await AuditRecord.count()
    body, headers = oss.server.callback(key, result="refused")
    tampered = body.replace(b'"refused"', b'"done"')
    answer = await client.post("/oss/callbacks", content=tampered, headers=headers)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["code"] == "oss.callback_refused"
    plain = {"content-type": "application/json"}
    unsigned = await client.post("/oss/callbacks", content=body, headers=plain)
    assert unsigned.status_code == 401
    await _unchanged(audits)


async def test_a_signed_callback_without_its_fields_is_refused_naming_them(oss, client):
    key = await _delivered(oss)
    audits = await AuditRecord.count()
    body, headers = oss.server.callback(key)
    stripped = body.replace(b'"nonce"', b'"other"')
    stamp = headers["x-oss-timestamp"]
    secret = oss.settings.callback_secret.get_secret_value()
    headers["x-oss-signature"] = signing.sign(secret, stamp, stripped)
    answer = await client.post("/oss/callbacks", content=stripped, headers=headers)
    assert answer.status_code == 422
    assert [e["field"] for e in answer.json()["errors"]] == ["nonce"]
    await _unchanged(audits)


async def test_oss_refusing_the_request_fails_the_event_for_operator_staff(oss, client):
    key = await _delivered(oss)
    answer = await _post(client, oss, key, result="refused")
    assert answer.status_code == 200 and answer.json()["event_status"] == "failed"
    assert (await service.service_state(ACCOUNT)).status is ServiceStatus.SUSPENSION_REQUESTED
    assert await CureRecord.count() == 0


async def test_the_local_oss_sends_its_acknowledgement_to_a_running_debtx(oss, live_server):
    key = await _delivered(oss)
    oss.server.callback_url = f"{live_server}/oss/callbacks"
    try:
        answer = oss.server.acknowledge(key)
    finally:
        oss.server.callback_url = None
    assert answer.status_code == 200, answer.text
    assert (await service.service_state(ACCOUNT)).status is ServiceStatus.SUSPENDED
