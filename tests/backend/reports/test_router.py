"""The report routes: JSON, a neutralised CSV, a PDF whose text holds the figures, the
filters' problems, reach, and a scheduled report mailed once per period."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

from pypdf import PdfReader

from backend.core.settings import NotificationSettings
from backend.notifications.gateways import SmtpSender
from backend.reports import mailing, subscriptions
from backend.reports.models import Frequency
from backend.users.models import Role
from tests.backend.performance.world import build_world
from tests.factories import bearer, make_case, make_drc, make_user


async def test_csv_cells_that_look_like_formulas_are_neutralised(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    await make_case("allocated", drc_id=(await make_drc()).id, customer_name="=cmd|' /C calc'!A0")
    response = await client.get(
        "/reports/aging-detail?format=csv", headers=bearer(signing_key, admin)
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    assert "'=cmd|' /C calc'!A0" in text and ",=cmd" not in text


async def test_a_pdf_holds_the_figures(client, signing_key):
    world = await build_world()
    headers = bearer(signing_key, world.admin)
    figures = (await client.get("/reports/aging", headers=headers)).json()
    response = await client.get("/reports/aging?format=pdf", headers=headers)
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text()
    assert "Aging of receivables" in text
    owed = next(r["outstanding"] for r in figures["rows"] if r["cases"])
    assert f"{owed / 100:,.2f}" in text


async def test_filters_and_reach_are_checked(client, signing_key):
    world = await build_world()
    supervisor = bearer(signing_key, world.supervisor)
    bad = await client.get("/reports/recovery?from=2026-12-05&to=2026-12-01", headers=supervisor)
    assert bad.status_code == 422 and bad.json()["code"] == "report.filters_invalid"
    assert (await client.get("/reports/recovery?from=nope", headers=supervisor)).status_code == 422
    other = await client.get(f"/reports/aging?drc_id={world.drc_b}", headers=supervisor)
    assert other.status_code == 404
    hidden = await client.get("/reports/segments", headers=supervisor)
    assert hidden.status_code == 404 and hidden.json()["code"] == "report.not_found"
    listed = (await client.get("/reports", headers=supervisor)).json()["reports"]
    assert "segments" not in {r["name"] for r in listed}
    officer = bearer(signing_key, world.officers[0])
    assert (await client.get("/reports/aging", headers=officer)).status_code == 403


async def test_a_scheduled_report_arrives_once_per_period(client, signing_key, smtp):
    world = await build_world()
    headers = bearer(signing_key, world.supervisor)
    body = {"report": "aging", "format": "pdf", "frequency": "daily", "recipients": ["a@x.lk"]}
    created = await client.post("/report-subscriptions", json=body, headers=headers)
    assert created.status_code == 201, created.text
    assert created.json()["drc_id"] == world.drc_a  # a supervisor's is for their DRC
    foreign = {**body, "drc_id": world.drc_b}
    refused = await client.post("/report-subscriptions", json=foreign, headers=headers)
    assert refused.status_code == 422
    sender = SmtpSender(
        NotificationSettings.model_validate({"smtp_host": "127.0.0.1", "smtp_port": smtp.port})
    )
    now = datetime.now(UTC)
    assert await mailing.send_due(smtp=sender, now=now) == {"sent": 1, "failed": 0}
    assert await mailing.send_due(smtp=sender, now=now) == {"sent": 0, "failed": 0}
    [mail] = smtp.mails
    assert mail.recipients == ["a@x.lk"]
    [attachment] = list(mail.message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    period, _, _ = subscriptions.last_period(Frequency.DAILY, now)
    sends = await client.get(f"/report-subscriptions/{created.json()['id']}/sends", headers=headers)
    assert [(s["period"], s["status"]) for s in sends.json()] == [(period, "sent")]
    # the next day is a new period: mailed once more
    assert await mailing.send_due(smtp=sender, now=now + timedelta(days=1)) == {
        "sent": 1,
        "failed": 0,
    }
    assert len(smtp.mails) == 2


async def test_a_pdf_shows_data_as_text_never_as_markup(client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    await make_case("allocated", drc_id=(await make_drc()).id, customer_name="<b>Perera</b> & Sons")
    response = await client.get(
        "/reports/aging-detail?format=pdf", headers=bearer(signing_key, admin)
    )
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "<b>Perera</b> & Sons" in text
