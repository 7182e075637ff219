"""Scheduled reports: the periods they cover, who manages them, and a failed send tried
again until it goes, still once."""

from __future__ import annotations

from datetime import UTC, date, datetime

from backend.core.settings import NotificationSettings
from backend.devstack.components import free_port
from backend.notifications.gateways import SmtpSender
from backend.reports import mailing
from backend.reports.models import Frequency
from backend.reports.subscriptions import last_period
from backend.users.models import Role
from tests.factories import bearer, make_drc, make_user

THURSDAY = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)


def test_each_frequency_covers_the_last_whole_period():
    assert last_period(Frequency.DAILY, THURSDAY) == (
        "2026-12-02",
        date(2026, 12, 2),
        date(2026, 12, 2),
    )
    assert last_period(Frequency.WEEKLY, THURSDAY) == (
        "2026-W48",
        date(2026, 11, 23),
        date(2026, 11, 29),
    )
    assert last_period(Frequency.MONTHLY, THURSDAY) == (
        "2026-11",
        date(2026, 11, 1),
        date(2026, 11, 30),
    )
    january = datetime(2027, 1, 1, tzinfo=UTC)
    assert last_period(Frequency.MONTHLY, january)[0] == "2026-12"
    assert last_period(Frequency.WEEKLY, january)[0] == "2026-W52"


async def test_operator_staff_manage_every_subscription_a_supervisor_their_own(client, signing_key):
    drc = await make_drc()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    other = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
    admin = await make_user(Role.OPERATOR_ADMIN)
    body = {"report": "recovery", "format": "csv", "frequency": "weekly", "recipients": ["s@x.lk"]}
    mine = await client.post(
        "/report-subscriptions", json=body, headers=bearer(signing_key, supervisor)
    )
    assert mine.status_code == 201
    every = {**body, "report": "segments"}
    assert (
        await client.post("/report-subscriptions", json=every, headers=bearer(signing_key, admin))
    ).status_code == 201
    hidden = await client.post(
        "/report-subscriptions", json=every, headers=bearer(signing_key, other)
    )
    assert hidden.status_code == 404  # an operator-only report
    theirs = await client.get("/report-subscriptions", headers=bearer(signing_key, other))
    assert theirs.json() == []
    listed = await client.get("/report-subscriptions", headers=bearer(signing_key, admin))
    assert len(listed.json()) == 2
    path = f"/report-subscriptions/{mine.json()['id']}"
    assert (await client.delete(path, headers=bearer(signing_key, other))).status_code == 404
    assert (await client.delete(path, headers=bearer(signing_key, admin))).status_code == 204
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id)
    assert (
        await client.get("/report-subscriptions", headers=bearer(signing_key, officer))
    ).status_code == 403


async def test_a_failed_send_is_tried_again_and_sent_once(client, signing_key, smtp):
    admin = await make_user(Role.OPERATOR_ADMIN)
    body = {"report": "aging", "format": "csv", "frequency": "monthly", "recipients": ["o@x.lk"]}
    created = await client.post(
        "/report-subscriptions", json=body, headers=bearer(signing_key, admin)
    )
    assert created.status_code == 201

    def sender(port: int) -> SmtpSender:
        config = {"smtp_host": "127.0.0.1", "smtp_port": port}
        return SmtpSender(NotificationSettings.model_validate(config))

    down = sender(free_port())  # nothing listens there
    assert await mailing.send_due(smtp=down, now=THURSDAY) == {"sent": 0, "failed": 1}
    assert await mailing.send_due(smtp=sender(smtp.port), now=THURSDAY) == {"sent": 1, "failed": 0}
    assert await mailing.send_due(smtp=sender(smtp.port), now=THURSDAY) == {"sent": 0, "failed": 0}
    [mail] = smtp.mails
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_filename() == "aging_2026-11-01_2026-11-30.csv"
    sends = await client.get(
        f"/report-subscriptions/{created.json()['id']}/sends", headers=bearer(signing_key, admin)
    )
    [send] = sends.json()
    assert (send["period"], send["status"], send["attempts"]) == ("2026-11", "sent", 2)
