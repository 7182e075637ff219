"""The long-lived clients one process holds: MongoDB, Redis, Firestore, HTTP."""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass, field

import httpx
from google.cloud.firestore import AsyncClient as FirestoreClient
from pymongo import AsyncMongoClient
from redis.asyncio import Redis

from backend.core import db, pii
from backend.core.errors import ServiceUnavailable
from backend.core.settings import Settings
from backend.domains import MODELS
from backend.firebase.firestore import make_firestore
from sync import keeping


@dataclass
class Resources:
    settings: Settings
    mongo: AsyncMongoClient
    redis: Redis
    firestore: FirestoreClient
    http: httpx.AsyncClient
    _closed: bool = field(default=False, repr=False)

    @classmethod
    async def open(cls, settings: Settings) -> Resources:
        """Connect everything and bind the documents; refuse unsafe production setups."""
        if settings.firebase.firestore_emulator_host:
            os.environ["FIRESTORE_EMULATOR_HOST"] = settings.firebase.firestore_emulator_host
        mongo = db.make_client(settings.mongo)
        if settings.is_production and not await db.is_replica_set(mongo):
            await mongo.close()
            raise ServiceUnavailable("Production needs a MongoDB replica set (transactions)")
        await db.init_documents(mongo, settings.mongo.database, MODELS)
        pii.install(settings.pii)
        keeping.install(pii)  # the review inbox and ledger keep officers' values sealed
        return cls(
            settings=settings,
            mongo=mongo,
            redis=Redis.from_url(settings.redis.url.get_secret_value(), decode_responses=True),
            firestore=make_firestore(settings.firebase),
            http=httpx.AsyncClient(timeout=httpx.Timeout(10.0, connect=3.0)),
        )

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.firestore.close()
        await asyncio.gather(
            self.http.aclose(), self.redis.aclose(), self.mongo.close(), return_exceptions=True
        )
