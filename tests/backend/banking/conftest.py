"""The local bank server, and settings pointing the statement fetch at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from backend.banking import fetching
from backend.banking.schemas import FetchReport
from backend.core.settings import BankSettings, Settings
from backend.devstack.bank import LocalBank


@pytest.fixture(scope="session")
def bank_server(settings: Settings) -> Iterator[LocalBank]:
    server = LocalBank(
        client_id=settings.bank.client_id,
        client_secret=settings.bank.client_secret.get_secret_value(),
        webhook_secret=settings.bank.webhook_secret.get_secret_value(),
    )
    yield server
    server.close()


@dataclass
class Bank:
    """The local bank, the settings DebtX fetches with, and a client to fetch on."""

    server: LocalBank
    settings: BankSettings
    http: httpx.AsyncClient

    async def fetch(self, **options) -> FetchReport:
        return await fetching.fetch_statements(http=self.http, settings=self.settings, **options)


@pytest.fixture
async def bank(app, settings: Settings, bank_server: LocalBank) -> Bank:
    bank_server.reset()
    chosen = settings.bank.model_copy(update={"base_url": bank_server.base_url, "fetch_days": 2})
    return Bank(bank_server, chosen, app.state.resources.http)
