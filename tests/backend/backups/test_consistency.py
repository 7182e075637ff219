"""The export is one moment of the whole database: pairs of documents written together,
in one transaction, into the first and the last collection exported, while a large
collection between them is read, are both in the backup or both not."""

from __future__ import annotations

import asyncio
import tarfile
from pathlib import Path

import bson

from backend.backups import archive, service
from backend.core import db
from backend.core.settings import BackupSettings


def _ids_in(path: Path, collection: str) -> set[int]:
    verified = archive.verify(path)
    part = next(p for p in verified.parts if p.name == collection)
    with tarfile.open(path) as tar:
        return {bson.decode(raw)["pair"] for raw in archive.documents(tar, part)}


async def test_writes_during_an_export_are_wholly_in_or_wholly_out(settings, tmp_path):
    database = db.bound_client()[settings.mongo.database]
    await database["mmm_bulk"].insert_many([{"n": i, "pad": "x" * 200} for i in range(20_000)])
    exporting = asyncio.Event()
    done = asyncio.Event()

    async def write_pairs() -> None:
        pair = 0
        while not done.is_set():
            async with db.transaction() as session:
                await database["aaa_pairs"].insert_one({"pair": pair}, session=session)
                await database["zzz_pairs"].insert_one({"pair": pair}, session=session)
            pair += 1
            if pair == 5:
                exporting.set()
            await asyncio.sleep(0)

    writer = asyncio.create_task(write_pairs())
    await exporting.wait()
    kept = settings.model_copy(
        update={"backups": BackupSettings(directory=tmp_path, method="export")}
    )
    made = await service.create_backup(client=db.bound_client(), settings=kept)
    done.set()
    await writer
    first, last = _ids_in(Path(made.path), "aaa_pairs"), _ids_in(Path(made.path), "zzz_pairs")
    assert first == last and first
    # the writer went on during the backup: the live collections hold pairs it has not
    assert await database["zzz_pairs"].count_documents({}) > len(last)
