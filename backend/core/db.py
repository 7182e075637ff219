"""MongoDB through PyMongo's async client and Beanie."""

from __future__ import annotations

import asyncio
import random
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from beanie import Document, init_beanie
from beanie.odm.utils.encoder import Encoder
from pydantic import BaseModel
from pymongo import AsyncMongoClient, UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from backend.core.errors import Conflict, DomainError
from backend.core.settings import MongoSettings

Raw = dict[str, Any]  # a document as the driver reads and writes it


def equal_to(filters: BaseModel, *, exclude: set[str] | None = None) -> Raw:
    """A query matching each field of `filters` that is set (enums by their value)."""
    return {
        name: getattr(value, "value", value)
        for name, value in filters.model_dump(exclude=exclude).items()
        if value is not None
    }


def make_client(settings: MongoSettings) -> AsyncMongoClient[Raw]:
    return AsyncMongoClient(
        settings.uri.get_secret_value(),
        serverSelectionTimeoutMS=settings.server_selection_timeout_ms,
        maxPoolSize=settings.max_pool_size,
        tz_aware=True,
        uuidRepresentation="standard",
    )


D = TypeVar("D", bound=Document)
T = TypeVar("T")

_client: AsyncMongoClient[Raw] | None = None


async def init_documents(
    client: AsyncMongoClient[Raw], database: str, models: Iterable[type[Document]]
) -> None:
    """Bind the Beanie documents `models` to the database and create their indexes."""
    global _client
    await init_beanie(database=client[database], document_models=list(models))
    _client = client


def bound_client() -> AsyncMongoClient[Raw]:
    if _client is None:
        raise RuntimeError("init_documents() has not run in this process")
    return _client


async def is_replica_set(client: AsyncMongoClient[Raw]) -> bool:
    """Transactions need a replica set; production refuses anything else."""
    hello = await client.admin.command("hello")
    return bool(hello.get("setName"))


async def ping(client: AsyncMongoClient[Raw]) -> None:
    await client.admin.command("ping")


class WriteConflict(Conflict):
    """Another request changed the same data at the same moment; retry the request."""

    code = "resource.write_conflict"
    title = "Concurrent change; retry"
    retryable = True


def as_stored(value: datetime) -> datetime:
    """`value` as MongoDB keeps it, to the millisecond, so what is answered or compared
    before a read is what a read returns."""
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


# Inserts a transaction makes just before it commits, by session, then by collection.
_at_commit: weakref.WeakKeyDictionary[
    AsyncClientSession, dict[str, tuple[AsyncCollection[Raw], list[dict[str, Any]]]]
] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def transaction(
    session: AsyncClientSession | None = None,
) -> AsyncIterator[AsyncClientSession]:
    """A transaction that commits on success and aborts on error.

    Given the caller's `session`, the work joins the caller's transaction instead, so a
    use case can run alone or inside a larger one (a sync batch, a mediation outcome).
    What the work held back with `insert_at_commit` is inserted last, before the commit.
    A transient conflict with a concurrent transaction becomes `WriteConflict` (409).
    """
    if session is not None:
        yield session
        return
    try:
        async with bound_client().start_session() as own, await own.start_transaction():
            _at_commit[own] = {}
            try:
                yield own
                await _insert_deferred(own)
            finally:
                _at_commit.pop(own, None)
    except PyMongoError as exc:
        if exc.has_error_label("TransientTransactionError") or getattr(exc, "code", None) == 112:
            raise WriteConflict("The data changed concurrently; retry the request") from exc
        raise


_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, asyncio.Semaphore]] = (
    weakref.WeakKeyDictionary()
)


@asynccontextmanager
async def bounded(name: str, limit: int) -> AsyncIterator[None]:
    """At most `limit` of this process's `name` transactions run at once. A burst (a
    thousand callbacks arriving together) queues here instead of thrashing the server,
    whose open transactions otherwise keep waiting on one another."""
    gates = _gates.setdefault(asyncio.get_running_loop(), {})
    async with gates.setdefault(name, asyncio.Semaphore(limit)):
        yield


async def retry_conflicts(work: Callable[[], Awaitable[T]], *, tries: int = 4) -> T:
    """Run `work` (a whole transaction) again when it lost a write conflict to a concurrent
    one, after a short jittered wait for the winner to commit; the last conflict is raised."""
    for n in range(tries - 1):
        try:
            return await work()
        except WriteConflict:
            await asyncio.sleep(random.uniform(0.01, 0.03) * 2**n)
    return await work()


async def insert_at_commit(
    collection: AsyncCollection[Raw], document: dict[str, Any], *, session: AsyncClientSession
) -> None:
    """Insert `document` as the transaction of `session` commits, with the others it holds
    for the same collection: one round trip for all (audit records: nothing in the
    transaction reads them back). A session `transaction` did not open inserts now."""
    held = _at_commit.get(session)
    if held is None:
        await collection.insert_one(document, session=session)
        return
    held.setdefault(collection.name, (collection, []))[1].append(document)


async def _insert_deferred(session: AsyncClientSession) -> None:
    for collection, documents in _at_commit.pop(session, {}).values():
        await collection.insert_many(documents, session=session)


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


Versioned = TypeVar("Versioned", bound=Document)


async def update_versioned(
    document: Versioned,
    fields: dict[str, Any],
    *,
    changed: DomainError,
    session: AsyncClientSession,
) -> Versioned:
    """`$set` fields and bump `version`, only if the stored document is still at the version
    it was read at; otherwise raise `changed`, so concurrent writers never lose work."""
    version = document.version
    values = {**fields, "version": version + 1}
    result = (
        await type(document)
        .get_pymongo_collection()
        .update_one(
            {"_id": document.id, "version": version},
            {"$set": Encoder().encode(values)},
            session=session,
        )
    )
    if result.matched_count == 0:
        raise changed
    for name, value in values.items():
        setattr(document, name, value)
    return document


async def save_versioned(
    document: Versioned, *, changed: DomainError, session: AsyncClientSession
) -> Versioned:
    """Insert a document at version 1, or replace it if still at the version it was read at."""
    version = document.version
    if version == 0:
        document.version = 1
        return await insert_new(document, exists=changed, session=session)
    fields = document.model_dump(mode="python", exclude={"id", "revision_id"})
    fields["version"] = version + 1
    result = (
        await type(document)
        .get_pymongo_collection()
        .replace_one(
            {"_id": document.id, "version": version}, Encoder().encode(fields), session=session
        )
    )
    if result.matched_count == 0:
        raise changed
    document.version = version + 1
    return document


async def find_by_keys(
    model: type[Document],
    field: str,
    keys: list[Any],
    *,
    match: dict[str, Any] | None = None,
    sort: dict[str, int] | None = None,
    projection: dict[str, Any] | None = None,
    session: AsyncClientSession | None = None,
) -> list[dict[str, Any]]:
    """Raw documents of `model` whose `field` equals one of `keys`, in one query.

    A join from the keys ($documents, then $lookup on the indexed `field`) rather than
    `{field: {$in: keys}}`: SecantusDB checks each found document against an `$in` list
    one key at a time, so a 500-key `$in` costs ~30x a 50-key one, while the join looks
    each key up in the index once. MongoDB (5.1+) answers both from the index.
    """
    unique = list(dict.fromkeys(keys))
    if not unique:
        return []
    collection = model.get_pymongo_collection()
    join = {"from": collection.name, "localField": "key", "foreignField": field, "as": "found"}
    pipeline: list[dict[str, Any]] = [
        {"$documents": [{"key": key} for key in unique]},
        {"$lookup": join},
        {"$unwind": "$found"},
        {"$replaceRoot": {"newRoot": "$found"}},
    ]
    if match:
        pipeline.append({"$match": match})
    if sort:
        pipeline.append({"$sort": sort})
    if projection:
        pipeline.append({"$project": projection})
    return await (await collection.database.aggregate(pipeline, session=session)).to_list()


@dataclass
class Upsert:
    """One document written only over an older version (see `upsert_if_newer`)."""

    key: Any
    fields: dict[str, Any]
    on_insert: dict[str, Any] | None = None
    inc: dict[str, int] | None = None

    def operation(self, stamp: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Its filter and update: `$not $gte` also matches a document without the stamp."""
        at = as_stored(self.fields[stamp])
        update: dict[str, Any] = {"$set": {**self.fields, stamp: at}}
        if self.on_insert:
            update["$setOnInsert"] = self.on_insert
        if self.inc:
            update["$inc"] = self.inc
        return {"_id": self.key, stamp: {"$not": {"$gte": at}}}, update


async def upsert_if_newer(
    collection: AsyncCollection[Raw],
    item: Upsert,
    *,
    stamp: str = "source_updated_at",
    session: AsyncClientSession | None = None,
) -> str:
    """Write `item.fields` to its document only if what it holds is older than
    `item.fields[stamp]` (the source's own time; one without the stamp counts as older),
    in one conditional write; a missing document is inserted. Returns created, updated,
    unchanged (the same time again) or stale (the stored one is newer). Safe under
    concurrency: a lost insert race is tried again."""
    query, update = item.operation(stamp)
    at = query[stamp]["$not"]["$gte"]
    for _ in range(4):
        try:
            result = await collection.update_one(query, update, upsert=True, session=session)
        except DuplicateKeyError:
            stored = await collection.find_one({"_id": item.key}, {stamp: 1}, session=session)
            held = stored.get(stamp) if stored else None
            if held is not None and held >= at:
                return "unchanged" if held == at else "stale"
            continue  # a concurrent insert of an older version won the race: write over it
        return "created" if result.upserted_id is not None else "updated"
    raise WriteConflict(f"{collection.name} {item.key} kept changing; retry")


async def _stamps(collection: AsyncCollection[Raw], keys: list[Any], stamp: str) -> dict[Any, Any]:
    """The stamp each of these documents holds, in one query."""
    if not keys:
        return {}
    cursor = collection.find({"_id": {"$in": keys}}, {stamp: 1})
    return {row["_id"]: row.get(stamp) async for row in cursor}


async def upsert_many_if_newer(
    collection: AsyncCollection[Raw], items: list[Upsert], *, stamp: str = "source_updated_at"
) -> list[str]:
    """`upsert_if_newer` for many documents (distinct keys) in one unordered bulk write;
    those it could not write (a newer version held, a lost insert race) are settled one
    by one. Outcomes in the order of `items`."""
    if not items:
        return []
    operations = [UpdateOne(*item.operation(stamp), upsert=True) for item in items]
    try:
        result = await collection.bulk_write(operations, ordered=False)
        upserted, refused = set(result.upserted_ids or {}), set[int]()
    except BulkWriteError as exc:
        errors = exc.details.get("writeErrors", [])
        if any(e.get("code") != 11000 for e in errors):
            raise
        upserted = {u["index"] for u in exc.details.get("upserted", [])}
        refused = {e["index"] for e in errors}
    held = await _stamps(collection, [items[n].key for n in refused], stamp)
    outcomes = []
    for n, item in enumerate(items):
        at, found = as_stored(item.fields[stamp]), held.get(item.key)
        if n not in refused:
            outcomes.append("created" if n in upserted else "updated")
        elif found is not None and found >= at:
            outcomes.append("unchanged" if found == at else "stale")
        else:  # a concurrent insert of an older version won the race: write over it
            outcomes.append(await upsert_if_newer(collection, item, stamp=stamp))
    return outcomes
