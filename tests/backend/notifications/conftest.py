"""Local FCM (with its OAuth token endpoint), SMS gateway and SMTP servers, and settings
pointing the notification senders at them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backend.core.settings import NotificationSettings, Settings
from backend.notifications import delivery
from backend.notifications.models import CLAIMABLE, Delivery
from backend.notifications.senders import Senders
from tests.backend.notifications.servers import FcmServer, ServiceAccount, SmsServer, SmtpServer
from tests.conftest import PROJECT_ID

SMS_KEY = "test-sms-gateway-key"


@pytest.fixture(scope="session")
def service_account(tmp_path_factory: pytest.TempPathFactory) -> ServiceAccount:
    return ServiceAccount(tmp_path_factory.mktemp("fcm"), PROJECT_ID)


@pytest.fixture(scope="session")
def fcm_server(service_account: ServiceAccount) -> Iterator[FcmServer]:
    server = FcmServer(service_account)
    yield server
    server.close()


@pytest.fixture(scope="session")
def sms_server() -> Iterator[SmsServer]:
    server = SmsServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def smtp_server() -> Iterator[SmtpServer]:
    try:
        server = SmtpServer()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    yield server
    server.close()


@dataclass
class Edges:
    fcm: FcmServer
    sms: SmsServer
    smtp: SmtpServer


@pytest.fixture
def edges(fcm_server: FcmServer, sms_server: SmsServer, smtp_server: SmtpServer) -> Edges:
    for server in (fcm_server, sms_server, smtp_server):
        server.reset()
    return Edges(fcm_server, sms_server, smtp_server)


def notification_settings(
    edges: Edges, account: ServiceAccount, **overrides: object
) -> NotificationSettings:
    values: dict[str, object] = {
        "fcm_base_url": edges.fcm.base_url,
        "fcm_token_url": edges.fcm.token_url,
        "fcm_credentials_file": account.path,
        "sms_gateway_url": edges.sms.url,
        "sms_api_key": SMS_KEY,
        "smtp_host": "127.0.0.1",
        "smtp_port": edges.smtp.port,
        "smtp_from": "DebtX Collections <collections@debtx.dev>",
        "retry_backoff_seconds": 10,
        "max_attempts": 3,
        # quiet hours well away from now, so tests at any time of day behave the same
        **quiet_hours_from_now(6, 7),
        **overrides,
    }
    return NotificationSettings.model_validate(values)


def quiet_hours_from_now(start_hours: float, end_hours: float) -> dict[str, str]:
    """A quiet window from `start_hours` to `end_hours` from now, in Colombo time."""
    local = datetime.now(ZoneInfo("Asia/Colombo"))
    start, end = local + timedelta(hours=start_hours), local + timedelta(hours=end_hours)
    return {"quiet_hours_start": f"{start:%H:%M}", "quiet_hours_end": f"{end:%H:%M}"}


@pytest.fixture
def notify_settings(settings: Settings, edges: Edges, service_account: ServiceAccount) -> Settings:
    return settings.model_copy(
        update={"notifications": notification_settings(edges, service_account)}
    )


@pytest.fixture
def senders(app, notify_settings: Settings) -> Senders:
    return Senders.from_settings(notify_settings, app.state.resources.http)


async def waiting_ids() -> list[str]:
    rows = await Delivery.find({"status": {"$in": [s.value for s in CLAIMABLE]}}).to_list()
    return [str(d.id) for d in rows]


async def send_waiting(senders: Senders, *, now: datetime | None = None) -> delivery.Retry:
    """What the worker does with every delivery that is due."""
    return await delivery.deliver(await waiting_ids(), senders=senders, now=now)
