"""The scheduled reports' mail: each due subscription's report, once per period."""

from __future__ import annotations

from datetime import datetime

import structlog

from backend.core import clock
from backend.notifications.gateways import Attachment, SmtpSender
from backend.reports import render, repository, subscriptions
from backend.reports import service as reports
from backend.reports.models import ReportFormat, ReportSend, ReportSubscription, SendStatus

log = structlog.get_logger(__name__)

MAX_ATTEMPTS = 3  # a failed period is tried again on the next runs, this many times in all
MEDIA = {ReportFormat.CSV: "text/csv", ReportFormat.PDF: "application/pdf"}


async def send_due(*, smtp: SmtpSender | None, now: datetime | None = None) -> dict[str, int]:
    """Mail every active subscription's report for its last whole period not sent yet."""
    now = now or clock.now()
    counts = {"sent": 0, "failed": 0}
    for found in await repository.subscriptions({"active": True}):
        period, _, _ = subscriptions.last_period(found.frequency, now)
        send = await repository.claim_send(str(found.id), period, max_attempts=MAX_ATTEMPTS)
        if send is None:
            continue
        status = await _send(found, send, smtp, now)
        counts["sent" if status is SendStatus.SENT else "failed"] += 1
    return counts


async def _send(
    found: ReportSubscription, send: ReportSend, smtp: SmtpSender | None, now: datetime
) -> SendStatus:
    owner = await subscriptions.owner_of(found)
    if smtp is None or owner is None:
        detail = "SMTP is not configured" if smtp is None else "the owner is no longer active"
        return await _finish(send, SendStatus.FAILED, [], detail)
    period, first, last = subscriptions.last_period(found.frequency, now)
    table = await reports.run(
        actor=owner, name=found.report, filters=subscriptions.filters_for(found, first, last)
    )
    extension = found.format.value
    content = render.pdf_of(table) if found.format is ReportFormat.PDF else render.csv_of(table)
    attachment = Attachment(
        filename=render.filename(table, extension),
        media_type=MEDIA[found.format],
        content=content if isinstance(content, bytes) else content.encode("utf-8-sig"),
    )
    delivered: list[str] = []
    problems: list[str] = []
    for to in found.recipients:
        answer = await smtp.send(
            to=to,
            subject=f"DebtX report: {table.title}, {period}",
            text=f"{table.title} for {first} to {last} is attached.\n\n{table.description}\n",
            reference=f"report-{send.id}",
            attachments=[attachment],
        )
        (delivered if answer.ok else problems).append(to if answer.ok else f"{to}: {answer.detail}")
    status = SendStatus.FAILED if problems and not delivered else SendStatus.SENT
    return await _finish(send, status, delivered, "; ".join(problems) or None)


async def _finish(
    send: ReportSend, status: SendStatus, delivered: list[str], detail: str | None
) -> SendStatus:
    await repository.finish_send(send, status=status, recipients=delivered, detail=detail)
    log.info("reports.send." + status.value, send_id=str(send.id), period=send.period)
    return status
