"""The local Daraja, settings pointing DebtX at it, and its callbacks at a running DebtX."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from backend.core.settings import MpesaSettings, Settings
from backend.devstack.daraja import LocalDaraja
from backend.mpesa import service, sweep
from backend.mpesa.models import StkRequest, StkStatus


@pytest.fixture(scope="session")
def daraja_server(settings: Settings) -> Iterator[LocalDaraja]:
    server = LocalDaraja.for_settings(settings.mpesa)
    yield server
    server.close()


@dataclass
class Mpesa:
    """The local Daraja, the settings DebtX calls it with, and the process's HTTP client."""

    server: LocalDaraja
    settings: MpesaSettings
    http: httpx.AsyncClient

    async def send(self, request_id: str) -> StkRequest | None:
        """What the `mpesa.send_push` task does."""
        return await service.send(request_id, http=self.http, settings=self.settings)

    async def sweep(self, **changes) -> dict[str, int]:
        chosen = self.settings.model_copy(update=changes)
        return await sweep.sweep(http=self.http, settings=chosen)

    async def register_c2b(self) -> None:
        await service.register_c2b(http=self.http, settings=self.settings)

    async def settled(self, request_id: str, *, booked: bool = True) -> StkRequest:
        """The request once M-PESA's callback closed it (and receipts booked it)."""
        deadline = datetime.now(UTC) + timedelta(seconds=20)
        while datetime.now(UTC) < deadline:
            request = await StkRequest.get(request_id)
            assert request is not None
            closed = request.status not in (StkStatus.QUEUED, StkStatus.PENDING)
            if closed and (not booked or request.receipt_id is not None):
                return request
            await asyncio.sleep(0.05)
        raise AssertionError(f"STK request {request_id} still {request.status}")


@pytest.fixture
async def mpesa(app, settings: Settings, daraja_server: LocalDaraja, live_server: str, monkeypatch):
    daraja_server.reset()
    chosen = settings.mpesa.model_copy(
        update={"base_url": daraja_server.base_url, "callback_base_url": live_server}
    )
    monkeypatch.setattr(app.state.settings, "mpesa", chosen)
    return Mpesa(daraja_server, chosen, app.state.resources.http)
