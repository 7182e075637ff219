"""The sync engine on its own: its models and a made-up application's, on a real server."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from pymongo import AsyncMongoClient

from backend.core import db
from backend.devstack import components as c
from sync.models import MODELS
from tests.sync.toy import Note

DATABASE = "debtx_test"  # the app's, so documents bound here and by the app agree


@pytest.fixture(scope="session")
async def mongo(services: c.BackingServices) -> AsyncMongoClient:
    """The app's client when the app is up (one client: its transactions span both),
    else one of our own."""
    try:
        return db.bound_client()
    except RuntimeError:
        return AsyncMongoClient(services.mongo_uri, tz_aware=True)


@pytest.fixture(autouse=True)
async def toy_database(mongo: AsyncMongoClient) -> AsyncIterator[None]:
    """The engine's collections and the notes, bound and empty for each test."""
    await db.init_documents(mongo, DATABASE, [*MODELS, Note])
    yield
    for model in (*MODELS, Note):
        await model.get_pymongo_collection().delete_many({})
