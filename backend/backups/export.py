"""The streamed export, for servers without mongodump (SecantusDB in development and
tests): every collection read inside one transaction with read concern "snapshot", so
all of them are as they were at one moment, and restored beside the live collections
before a rename puts each in place."""

from __future__ import annotations

import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bson.codec_options import CodecOptions
from bson.raw_bson import RawBSONDocument
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.read_concern import ReadConcern

from backend.backups import archive
from backend.backups.archive import Part, PartWriter, Verified

RAW = CodecOptions(document_class=RawBSONDocument)
RESTORING = "restoring__"  # prefix of the collections a restore fills before the swap
BATCH = 5000  # documents per insert_many while restoring
# what listIndexes answers that createIndexes does not take back
INDEX_NOISE = ("ns", "v")


async def collections_of(database: AsyncDatabase) -> list[str]:
    names = await database.list_collection_names()
    return sorted(n for n in names if not n.startswith(("system.", RESTORING)))


async def indexes_of(database: AsyncDatabase, name: str) -> list[dict[str, Any]]:
    """The collection's indexes but `_id`'s, as createIndexes takes them."""
    specs = [dict(spec) async for spec in await database[name].list_indexes()]
    return [
        {k: v for k, v in spec.items() if k not in INDEX_NOISE}
        for spec in specs
        if spec["name"] != "_id_"
    ]


async def export(client: AsyncMongoClient, database_name: str, workdir: Path) -> list[Part]:
    """Write each collection's documents to a part file in `workdir`, all read in one
    snapshot transaction (indexes read first: listIndexes cannot run inside one)."""
    database = client[database_name]
    names = await collections_of(database)
    indexes = {name: await indexes_of(database, name) for name in names}
    parts = []
    snapshot = ReadConcern("snapshot")
    async with client.start_session() as session, await session.start_transaction(snapshot):
        for name in names:
            parts.append(await _export_one(database, name, workdir, session))
            parts[-1].indexes = indexes[name]
    return parts


async def _export_one(database: AsyncDatabase, name: str, workdir: Path, session: Any) -> Part:
    member = archive.part_member(name)
    writer = PartWriter(workdir / f"{name}.bson.gz")
    collection = database.get_collection(name, codec_options=RAW)
    async for document in collection.find({}, session=session).sort("_id", 1):
        writer.write(document.raw)
    size, digest = writer.close()
    return Part(name=name, member=member, count=writer.count, bytes=size, sha256=digest)


async def restore(client: AsyncMongoClient, database_name: str, verified: Verified) -> None:
    """Load every part into a collection of its own beside the live one, then swap each
    in by rename and drop the collections the backup does not hold. A failure while
    loading drops what was loaded and leaves the live collections untouched."""
    database = client[database_name]
    try:
        for part in verified.parts:
            await _load(database, verified.path, part)
    except BaseException:
        for part in verified.parts:
            await database.drop_collection(RESTORING + part.name)
        raise
    kept = {part.name for part in verified.parts}
    for part in verified.parts:
        await client.admin.command(
            "renameCollection",
            f"{database_name}.{RESTORING}{part.name}",
            to=f"{database_name}.{part.name}",
            dropTarget=True,
        )
    for name in await collections_of(database):
        if name not in kept:
            await database.drop_collection(name)


async def _load(database: AsyncDatabase, path: Path, part: Part) -> None:
    name = RESTORING + part.name
    await database.drop_collection(name)
    await database.create_collection(name)
    target = database.get_collection(name, codec_options=RAW)
    for batch in _batches(path, part):
        await target.insert_many(batch, ordered=True)
    # built once over the loaded documents rather than kept up on every insert
    if part.indexes:
        await database.command({"createIndexes": name, "indexes": part.indexes})


def _batches(path: Path, part: Part) -> Iterator[list[RawBSONDocument]]:
    with tarfile.open(path, "r:") as tar:
        batch: list[RawBSONDocument] = []
        for raw in archive.documents(tar, part, decode=False):
            batch.append(RawBSONDocument(raw))
            if len(batch) == BATCH:
                yield batch
                batch = []
        if batch:
            yield batch
