"""The outgoing channels one process uses, built from settings; unset ones are None."""

from __future__ import annotations

from dataclasses import dataclass

import httpx

from backend.core.settings import NotificationSettings, Settings
from backend.notifications.fcm import AccessTokens, FcmClient
from backend.notifications.gateways import SmsGateway, SmtpSender


@dataclass
class Senders:
    settings: NotificationSettings
    fcm: FcmClient | None
    sms: SmsGateway | None
    smtp: SmtpSender | None

    @classmethod
    def from_settings(cls, settings: Settings, http: httpx.AsyncClient) -> Senders:
        config = settings.notifications
        return cls(
            settings=config,
            fcm=_fcm(settings, http),
            sms=SmsGateway(config, http) if config.sms_gateway_url else None,
            smtp=SmtpSender(config) if config.smtp_host else None,
        )


def _fcm(settings: Settings, http: httpx.AsyncClient) -> FcmClient | None:
    """FCM needs a service account: the notifications one, else Firebase's."""
    config = settings.notifications
    credentials = config.fcm_credentials_file or settings.firebase.credentials_file
    if credentials is None:
        return None
    tokens = AccessTokens(credentials, config.fcm_token_url)
    return FcmClient(
        base_url=config.fcm_base_url,
        project_id=tokens.project_id or settings.firebase.project_id,
        tokens=tokens,
        http=http,
    )


_senders: Senders | None = None


def for_process(settings: Settings, http: httpx.AsyncClient) -> Senders:
    """One set per worker process, so access tokens are reused across tasks."""
    global _senders
    if _senders is None:
        _senders = Senders.from_settings(settings, http)
    return _senders
