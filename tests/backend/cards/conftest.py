"""The local card provider, and DebtX's card settings pointing at it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from backend.core.settings import Settings
from backend.devstack.cardpay import LocalCardPay
from tests.backend.dunning.conftest import as_operator, operator  # noqa: F401  (fixtures)


@pytest.fixture(scope="session")
def cardpay_server(settings: Settings) -> Iterator[LocalCardPay]:
    server = LocalCardPay(
        api_key=settings.cards.api_key.get_secret_value(),
        webhook_secret=settings.cards.webhook_secret.get_secret_value(),
    )
    yield server
    server.close()


@dataclass
class Cards:
    """The provider, and a way to deliver its webhooks to DebtX as it sends them."""

    server: LocalCardPay
    client: object

    async def deliver(self, event: dict, **signing) -> object:
        body, headers = self.server.signed(event, **signing)
        return await self.client.post("/cards/webhook", content=body, headers=headers)  # type: ignore[attr-defined]


@pytest.fixture
async def cards(app, client, cardpay_server: LocalCardPay, monkeypatch) -> Cards:
    cardpay_server.reset()
    chosen = app.state.settings.cards.model_copy(update={"base_url": cardpay_server.base_url})
    monkeypatch.setattr(app.state.settings, "cards", chosen)
    return Cards(server=cardpay_server, client=client)
