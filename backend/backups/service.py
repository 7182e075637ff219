"""Backups of the whole database into one verified archive, restores from one, and the
newest few kept."""

from __future__ import annotations

import asyncio
import hashlib
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from pymongo import AsyncMongoClient

from backend.backups import archive, dump, export
from backend.backups.archive import Part, Verified
from backend.backups.errors import BackupNotFound, BackupRefused, BackupToolFailed
from backend.backups.schemas import BackupMade, RestoreDone
from backend.core import clock
from backend.core.logging import get_logger
from backend.core.settings import Settings

log = get_logger("debtx.backups")

PREFIX = "debtx-"
SUFFIX = ".tar"


def method_of(settings: Settings) -> str:
    """mongodump when asked, or (auto) when mongodump and mongorestore are installed."""
    chosen = settings.backups.method
    if chosen == "auto":
        return "mongodump" if dump.available() else "export"
    return chosen


def archive_name(database: str, at: datetime) -> str:
    """Names sort as the backups were made: the newest last."""
    return f"{PREFIX}{database}-{at:%Y%m%dT%H%M%S%f}Z{SUFFIX}"


async def create_backup(*, client: AsyncMongoClient, settings: Settings) -> BackupMade:
    """Write a backup of the configured database into DEBTX_BACKUPS__DIRECTORY, under a
    name it gets only once complete, then delete all but the newest KEEP."""
    directory = settings.backups.directory
    await asyncio.to_thread(directory.mkdir, parents=True, exist_ok=True)
    at = clock.now()
    method = method_of(settings)
    final = directory / archive_name(settings.mongo.database, at)
    partial = directory / f".{final.name}.partial"
    try:
        with tempfile.TemporaryDirectory(dir=directory, prefix=".work-") as work:
            parts, files = await _parts(client, settings, method, Path(work))
            manifest = _manifest(settings.mongo.database, method, at, parts)
            await asyncio.to_thread(archive.write_archive, partial, manifest, files)
    except BaseException:
        await asyncio.to_thread(partial.unlink, missing_ok=True)
        raise
    size, removed = await asyncio.to_thread(_put_in_place, partial, final, settings.backups.keep)
    made = BackupMade(
        path=str(final),
        method=method,
        created_at=at,
        collections=len(parts) if method == "export" else 0,
        documents=_documents(parts),
        bytes=size,
        removed=removed,
    )
    log.info("backup.created", **made.model_dump(mode="json"))
    return made


async def _parts(
    client: AsyncMongoClient, settings: Settings, method: str, work: Path
) -> tuple[list[Part], dict[str, Path]]:
    """The parts of the archive and the files holding them."""
    if method == "export":
        parts = await export.export(client, settings.mongo.database, work)
        return parts, {p.member: work / f"{p.name}.bson.gz" for p in parts}
    if not dump.available():
        raise BackupToolFailed(
            "DEBTX_BACKUPS__METHOD is mongodump, but mongodump or mongorestore is not on PATH"
        )
    path = await dump.dump(settings.mongo.uri, settings.mongo.database, work)
    size, digest = await asyncio.to_thread(_hash_file, path)
    part = Part(name="mongodump", member=dump.MEMBER, count=None, bytes=size, sha256=digest)
    return [part], {dump.MEMBER: path}


def _hash_file(path: Path) -> tuple[int, str]:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(archive.CHUNK):
            digest.update(chunk)
    return path.stat().st_size, digest.hexdigest()


def _manifest(database: str, method: str, at: datetime, parts: list[Part]) -> dict[str, Any]:
    consistency = (
        "one transaction with read concern snapshot" if method == "export" else "mongodump"
    )
    return {
        "format": archive.FORMAT,
        "version": archive.VERSION,
        "method": method,
        "database": database,
        "created_at": at.isoformat(),
        "consistency": consistency,
        "parts": [vars(part) for part in parts],
    }


def _documents(parts: list[Part]) -> int | None:
    counts = [p.count for p in parts]
    return None if any(c is None for c in counts) else sum(c or 0 for c in counts)


def _put_in_place(partial: Path, final: Path, keep: int) -> tuple[int, list[str]]:
    """Give the finished archive its name (atomically), then keep the newest `keep`."""
    os.replace(partial, final)
    return final.stat().st_size, keep_newest(final.parent, keep)


def keep_newest(directory: Path, keep: int) -> list[str]:
    """Delete all but the newest `keep` backups in `directory`; the names deleted."""
    found = sorted(p for p in directory.glob(f"{PREFIX}*{SUFFIX}") if p.is_file())
    removed = found[: max(len(found) - keep, 0)]
    for path in removed:
        path.unlink(missing_ok=True)
    return [p.name for p in removed]


async def restore_backup(
    *, client: AsyncMongoClient, settings: Settings, path: Path
) -> RestoreDone:
    """Verify the whole archive, then restore it over the configured database. A corrupt
    or partial archive is refused (BackupRefused) before anything is touched."""
    if not await asyncio.to_thread(path.is_file):
        raise BackupNotFound(f"No backup at {path}")
    verified = await asyncio.to_thread(archive.verify, path)
    method = verified.manifest["method"]
    database = settings.mongo.database
    if method == "export":
        await export.restore(client, database, verified)
    elif method == "mongodump":
        await _restore_dump(settings, verified)
    else:
        raise BackupRefused(f"the manifest names an unknown method {method!r}")
    done = _restored(verified, database)
    log.info("backup.restored", **done.model_dump(mode="json"))
    return done


async def _restore_dump(settings: Settings, verified: Verified) -> None:
    if not dump.available():
        raise BackupRefused("this backup was made by mongodump; install mongorestore to restore it")
    with tempfile.TemporaryDirectory(dir=verified.path.parent, prefix=".work-") as work:
        await dump.restore(settings.mongo.uri, settings.mongo.database, verified, Path(work))


def _restored(verified: Verified, database: str) -> RestoreDone:
    manifest = verified.manifest
    return RestoreDone(
        path=str(verified.path),
        method=manifest["method"],
        database=database,
        created_at=datetime.fromisoformat(manifest["created_at"]),
        collections=len(verified.parts) if manifest["method"] == "export" else 0,
        documents=_documents(verified.parts),
    )
