"""Customer channels: an HTTP SMS gateway and SMTP."""

from __future__ import annotations

import asyncio
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

import httpx

from backend.core.settings import NotificationSettings


@dataclass(frozen=True)
class SendAnswer:
    ok: bool
    provider_id: str | None = None
    detail: str | None = None
    transient: bool = False


class SmsGateway:
    """`POST {url}` with `{"to", "from", "text", "reference"}` and a bearer API key.

    A 2xx answer is accepted (its `id` or `message_id` is kept); 429 and 5xx are
    tried again later; any other answer is final.
    """

    def __init__(self, settings: NotificationSettings, http: httpx.AsyncClient) -> None:
        assert settings.sms_gateway_url is not None
        self.url = settings.sms_gateway_url
        self.sender = settings.sms_sender_id
        self.key = settings.sms_api_key.get_secret_value()
        self.http = http

    async def send(self, *, to: str, text: str, reference: str) -> SendAnswer:
        body = {"to": to, "from": self.sender, "text": text, "reference": reference}
        headers = {"Authorization": f"Bearer {self.key}"}
        try:
            response = await self.http.post(self.url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            return SendAnswer(ok=False, detail=f"gateway unreachable: {exc}", transient=True)
        if response.is_success:
            return SendAnswer(ok=True, provider_id=_message_id(response))
        transient = response.status_code == 429 or response.status_code >= 500
        detail = f"gateway answered {response.status_code}: {response.text[:200]}"
        return SendAnswer(ok=False, detail=detail, transient=transient)


def _message_id(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    found = body.get("id") or body.get("message_id")
    return str(found) if found is not None else None


@dataclass(frozen=True)
class Attachment:
    filename: str
    media_type: str  # e.g. "application/pdf"
    content: bytes


class SmtpSender:
    """Plain-text UTF-8 mail through the configured SMTP server (smtplib, in a thread)."""

    def __init__(self, settings: NotificationSettings) -> None:
        assert settings.smtp_host is not None
        self.settings = settings

    async def send(
        self,
        *,
        to: str,
        subject: str,
        text: str,
        reference: str,
        attachments: Sequence[Attachment] = (),
    ) -> SendAnswer:
        """Send one mail; `attachments` (a scheduled report's file) go with the text."""
        message = EmailMessage()
        message["From"] = self.settings.smtp_from
        message["To"] = to
        message["Subject"] = subject
        message["Message-ID"] = make_msgid(idstring=reference, domain="debtx.dev")
        message["X-DebtX-Delivery"] = reference
        message.set_content(text, charset="utf-8")
        for attachment in attachments:
            maintype, subtype = attachment.media_type.split("/", 1)
            message.add_attachment(
                attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename
            )
        try:
            await asyncio.to_thread(self._send, message)
        except smtplib.SMTPResponseException as exc:
            detail = f"SMTP {exc.smtp_code}: {exc.smtp_error!r}"
            return SendAnswer(ok=False, detail=detail, transient=exc.smtp_code < 500)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            transient = all(code < 500 for code in codes)
            return SendAnswer(ok=False, detail=f"recipient refused: {codes}", transient=transient)
        except (OSError, smtplib.SMTPException) as exc:
            return SendAnswer(ok=False, detail=f"SMTP unreachable: {exc}", transient=True)
        return SendAnswer(ok=True, provider_id=str(message["Message-ID"]))

    def _send(self, message: EmailMessage) -> None:
        settings = self.settings
        assert settings.smtp_host is not None
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_username:
                smtp.login(settings.smtp_username, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
