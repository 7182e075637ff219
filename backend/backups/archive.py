"""The backup archive: one tar holding a manifest, its checksum and one gzip'd part per
collection (BSON documents back to back, as mongodump writes them), each part's size,
count and SHA-256 in the manifest. Verifying reads every byte before anything is used."""

from __future__ import annotations

import gzip
import hashlib
import io
import tarfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import bson
from bson import json_util
from bson.errors import BSONError

from backend.backups.errors import BackupRefused

FORMAT = "debtx-backup"
VERSION = 1
MANIFEST = "manifest.json"
MANIFEST_SUM = "manifest.sha256"
CHUNK = 1 << 20


@dataclass
class Part:
    """One collection's documents (or, for mongodump, its whole archive)."""

    name: str
    member: str
    count: int | None
    bytes: int
    sha256: str
    indexes: list[dict[str, Any]] = field(default_factory=list)


def part_member(collection: str) -> str:
    return f"collections/{collection}.bson.gz"


class PartWriter:
    """Gzips BSON documents into a file, counting them and hashing what is written."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._raw = path.open("wb")
        self._hash = _HashingWriter(self._raw)
        self._gzip = gzip.GzipFile(fileobj=self._hash, mode="wb", compresslevel=6, mtime=0)

    def write(self, document: bytes) -> None:
        self._gzip.write(document)
        self.count += 1

    def close(self) -> tuple[int, str]:
        """(bytes written, SHA-256) of the finished part."""
        self._gzip.close()
        self._raw.close()
        return self._hash.size, self._hash.digest.hexdigest()


class _HashingWriter(io.RawIOBase):
    def __init__(self, target: IO[bytes]) -> None:
        self.target = target
        self.digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.digest.update(chunk)
        self.size += len(chunk)
        self.target.write(chunk)
        return len(chunk)


def write_archive(target: Path, manifest: dict[str, Any], parts: dict[str, Path]) -> None:
    """The tar at `target`: the manifest, its checksum, then each part's file."""
    # Extended JSON, keys in their order: an index's key order is the index.
    body = json_util.dumps(manifest, indent=2, json_options=json_util.RELAXED_JSON_OPTIONS).encode()
    with tarfile.open(target, "w") as tar:
        _add_bytes(tar, MANIFEST, body)
        _add_bytes(tar, MANIFEST_SUM, hashlib.sha256(body).hexdigest().encode())
        for member, path in parts.items():
            tar.add(path, arcname=member, recursive=False)


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tar.addfile(info, io.BytesIO(data))


@dataclass
class Verified:
    """An archive read end to end: its manifest and parts agree with every byte."""

    path: Path
    manifest: dict[str, Any]
    parts: list[Part]


def verify(path: Path) -> Verified:
    """Read the whole archive: manifest and checksum, every part present, of its size
    and SHA-256, and (for collections) every document whole and counted. BackupRefused
    with the first problem found."""
    try:
        with tarfile.open(path, "r:") as tar:
            manifest = _manifest(tar)
            parts = [_part(entry) for entry in manifest["parts"]]
            for part in parts:
                _check_part(tar, part)
    except (tarfile.TarError, zlib.error, EOFError, OSError) as exc:
        raise BackupRefused(
            f"{path.name} cannot be read to its end ({exc}): partial or corrupt"
        ) from exc
    return Verified(path=path, manifest=manifest, parts=parts)


def _manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    body = _read_member(tar, MANIFEST)
    expected = _read_member(tar, MANIFEST_SUM).decode(errors="replace").strip()
    if hashlib.sha256(body).hexdigest() != expected:
        raise BackupRefused("the manifest does not match its checksum: the archive is corrupt")
    try:
        manifest = json_util.loads(body)
    except (ValueError, TypeError, BSONError) as exc:
        raise BackupRefused("the manifest is not JSON: the archive is corrupt") from exc
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupRefused(f"not a {FORMAT} archive of version {VERSION}")
    return manifest


def _read_member(tar: tarfile.TarFile, name: str) -> bytes:
    try:
        member = tar.getmember(name)
    except KeyError as exc:
        raise BackupRefused(f"{name} is missing: not a complete backup") from exc
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupRefused(f"{name} is not a file")
    return handle.read()


def _part(entry: dict[str, Any]) -> Part:
    try:
        return Part(**entry)
    except TypeError as exc:
        raise BackupRefused(f"the manifest lists a part it cannot describe: {entry}") from exc


def _check_part(tar: tarfile.TarFile, part: Part) -> None:
    """Size and checksum first; then the documents, decoded one by one and counted."""
    try:
        member = tar.getmember(part.member)
    except KeyError as exc:
        raise BackupRefused(f"{part.member} is missing: the backup is partial") from exc
    if member.size != part.bytes:
        raise BackupRefused(f"{part.member} has {member.size} bytes, the manifest {part.bytes}")
    digest = hashlib.sha256()
    for chunk in _chunks(tar, member):
        digest.update(chunk)
    if digest.hexdigest() != part.sha256:
        raise BackupRefused(f"{part.member} does not match its SHA-256: the archive is corrupt")
    if part.count is not None:
        found = sum(1 for _ in documents(tar, part))
        if found != part.count:
            raise BackupRefused(f"{part.member} holds {found} documents, the manifest {part.count}")


def _chunks(tar: tarfile.TarFile, member: tarfile.TarInfo) -> Iterator[bytes]:
    handle = tar.extractfile(member)
    if handle is None:
        raise BackupRefused(f"{member.name} is not a file")
    while chunk := handle.read(CHUNK):
        yield chunk


def documents(tar: tarfile.TarFile, part: Part, *, decode: bool = True) -> Iterator[bytes]:
    """The part's documents as raw BSON, each checked to decode (unless `decode` is off:
    an archive verified already)."""
    handle = tar.extractfile(part.member)
    if handle is None:
        raise BackupRefused(f"{part.member} is not a file")
    stream = gzip.GzipFile(fileobj=handle, mode="rb")
    try:
        while header := stream.read(4):
            size = int.from_bytes(header, "little") if len(header) == 4 else 0
            body = stream.read(size - 4) if size > 4 else b""
            raw = header + body
            if size < 5 or len(raw) != size:
                raise BackupRefused(f"{part.member} ends inside a document: the backup is partial")
            if decode:
                bson.decode(raw)
            yield raw
    except (BSONError, gzip.BadGzipFile, zlib.error, EOFError, OSError) as exc:
        raise BackupRefused(
            f"{part.member} cannot be decoded ({exc}): the archive is corrupt"
        ) from exc
