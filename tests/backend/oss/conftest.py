"""The local OSS server, and settings pointing the outbox at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from backend.core.settings import OssSettings, Settings
from backend.devstack.oss import LocalOss
from backend.oss import callbacks, service
from backend.oss.schemas import CallbackAccepted


@pytest.fixture(scope="session")
def oss_server(settings: Settings) -> Iterator[LocalOss]:
    server = LocalOss(
        signing_secret=settings.oss.signing_secret.get_secret_value(),
        callback_secret=settings.oss.callback_secret.get_secret_value(),
    )
    yield server
    server.close()


@dataclass
class Oss:
    """The local OSS, the settings DebtX sends with, and a client to send them on."""

    server: LocalOss
    settings: OssSettings
    http: httpx.AsyncClient

    async def deliver(self, event_id: str, **options) -> float | None:
        return await service.deliver(event_id, http=self.http, settings=self.settings, **options)

    async def acknowledge(self, key: str, **options) -> CallbackAccepted:
        """OSS's signed callback for `key`, handled as the route does."""
        body, headers = self.server.callback(key, **options)
        return await callbacks.accept(
            body=body,
            timestamp=headers["x-oss-timestamp"],
            signature=headers["x-oss-signature"],
            settings=self.settings,
        )


@pytest.fixture
async def oss(app, settings: Settings, oss_server: LocalOss) -> Oss:
    oss_server.reset()
    chosen = settings.oss.model_copy(
        update={
            "base_url": oss_server.base_url,
            "retry_backoff_seconds": 10.0,
            "retry_backoff_max_seconds": 600.0,
            "max_attempts": 4,
            "timeout_seconds": 0.5,
        }
    )
    return Oss(oss_server, chosen, app.state.resources.http)
