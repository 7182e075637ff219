"""Session-wide real services, the app under test, and per-test isolation."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
from asgi_lifespan import LifespanManager
from fastapi import FastAPI

from backend.core import db
from backend.core.settings import (
    AbuseLimit,
    AuthSettings,
    Environment,
    FirebaseSettings,
    MongoSettings,
    RateLimitSettings,
    RedisSettings,
    Settings,
)
from backend.devstack import components as c
from backend.firebase.devkeys import SigningKey
from tests.harness import CertificateServer, start_services

PROJECT_ID = "debtx-test"
# Far above what any test does, so only the tests of the limits meet them.
GENEROUS = AbuseLimit(per_user="100000/minute", per_ip="100000/minute")
GENEROUS_LIMITS = RateLimitSettings(
    sign_in=GENEROUS, sync_push=GENEROUS, uploads=GENEROUS, callbacks=GENEROUS
)


@pytest.fixture(scope="session")
def services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[c.BackingServices]:
    try:
        started = start_services(tmp_path_factory.mktemp("services"), project_id=PROJECT_ID)
    except c.ComponentMissing as exc:
        pytest.fail(f"A backing service could not start: {exc}", pytrace=False)
    yield started
    started.stop()


@pytest.fixture(scope="session")
def signing_key() -> SigningKey:
    return SigningKey.generate()


@pytest.fixture(scope="session")
def cert_server(signing_key: SigningKey) -> Iterator[CertificateServer]:
    server = CertificateServer(signing_key)
    yield server
    server.close()


def make_settings(
    services: c.BackingServices, cert_url: str, key_dir: Path, **overrides
) -> Settings:
    return Settings(
        env=Environment.TEST,
        log_level="WARNING",
        mongo=MongoSettings(uri=services.mongo_uri, database="debtx_test"),
        redis=RedisSettings(url=services.redis_url),
        firebase=FirebaseSettings(
            project_id=PROJECT_ID,
            cert_url=cert_url,
            firestore_emulator_host=services.firestore.address,
        ),
        auth=AuthSettings(dev_login=True, dev_key_dir=key_dir),
        **({"rate_limits": GENEROUS_LIMITS} | overrides),
    )


@pytest.fixture(scope="session")
def settings(
    services: c.BackingServices,
    cert_server: CertificateServer,
    tmp_path_factory: pytest.TempPathFactory,
) -> Settings:
    return make_settings(services, cert_server.url, tmp_path_factory.mktemp("keys"))


@pytest.fixture(scope="session")
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    from backend.main import create_app  # here, so tests of sync alone load no domain

    application = create_app(settings)
    async with LifespanManager(application, startup_timeout=60):
        yield application


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://debtx.test") as http:
        yield http


@pytest.fixture(autouse=True)
async def _isolate(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """Each test that uses the app starts from empty collections, Redis and Firestore."""
    yield
    if "app" not in request.fixturenames:
        return
    app: FastAPI = request.getfixturevalue("app")
    resources = app.state.resources
    database = db.bound_client()[resources.settings.mongo.database]
    for name in await database.list_collection_names():
        await database[name].delete_many({})
    await resources.redis.flushdb()
    services: c.BackingServices = request.getfixturevalue("services")
    c.clear_firestore(services.firestore.address, PROJECT_ID)


@pytest.fixture(scope="session")
def live_server(
    app: FastAPI, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The API under uvicorn in its own process, on the session's services, with a local
    card provider and a local bank to answer its charge lookups and statement fetches."""
    from backend.devstack.bank import LocalBank
    from backend.devstack.cardpay import LocalCardPay
    from tests.harness import settings_env

    provider = LocalCardPay(
        api_key=settings.cards.api_key.get_secret_value(),
        webhook_secret=settings.cards.webhook_secret.get_secret_value(),
    )
    bank = LocalBank(
        client_id=settings.bank.client_id,
        client_secret=settings.bank.client_secret.get_secret_value(),
        webhook_secret=settings.bank.webhook_secret.get_secret_value(),
    )
    providers = {"DEBTX_CARDS__BASE_URL": provider.base_url, "DEBTX_BANK__BASE_URL": bank.base_url}
    server = c.uvicorn(
        "api",
        "backend.main:create_app",
        c.free_port(),
        tmp_path_factory.mktemp("live"),
        settings_env(settings) | providers,
    )
    try:
        server.start().wait_ready(60)
    except c.ComponentMissing as exc:
        pytest.fail(f"The API did not start under uvicorn: {exc}", pytrace=False)
    yield f"http://{server.address}"
    server.stop()
    provider.close()
    bank.close()
