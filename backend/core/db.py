"""MongoDB through PyMongo's async client and Beanie."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from beanie import Document, init_beanie
from pymongo import AsyncMongoClient
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from backend.core.errors import DomainError
from backend.core.settings import MongoSettings


def make_client(settings: MongoSettings) -> AsyncMongoClient:
    return AsyncMongoClient(
        settings.uri.get_secret_value(),
        serverSelectionTimeoutMS=settings.server_selection_timeout_ms,
        maxPoolSize=settings.max_pool_size,
        tz_aware=True,
        uuidRepresentation="standard",
    )


D = TypeVar("D", bound=Document)

_client: AsyncMongoClient | None = None


async def init_documents(client: AsyncMongoClient, database: str) -> None:
    """Bind every Beanie document to the database and create its indexes."""
    from backend.documents import DOCUMENTS

    global _client
    await init_beanie(database=client[database], document_models=list(DOCUMENTS))
    _client = client


def bound_client() -> AsyncMongoClient:
    if _client is None:
        raise RuntimeError("init_documents() has not run in this process")
    return _client


async def is_replica_set(client: AsyncMongoClient) -> bool:
    """Transactions need a replica set; production refuses anything else."""
    hello = await client.admin.command("hello")
    return bool(hello.get("setName"))


async def ping(client: AsyncMongoClient) -> None:
    await client.admin.command("ping")


@asynccontextmanager
async def transaction() -> AsyncIterator[AsyncClientSession]:
    """A session with a transaction that commits on success, aborts on error."""
    async with bound_client().start_session() as session, await session.start_transaction():
        yield session


async def insert_new(
    document: D, *, exists: DomainError, session: AsyncClientSession | None = None
) -> D:
    """Insert a document whose key must be new; a duplicate raises `exists`."""
    try:
        return await document.insert(session=session)
    except DuplicateKeyError as exc:
        raise exists from exc


async def set_fields(
    model: type[Document],
    key: Any,
    fields: dict[str, Any],
    *,
    session: AsyncClientSession | None = None,
) -> None:
    await model.get_pymongo_collection().update_one({"_id": key}, {"$set": fields}, session=session)
