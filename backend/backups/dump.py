"""mongodump and mongorestore, where both are installed: the dump is one gzip'd archive
(`--archive --gzip`), carried as the backup's single part, so the archive is verified
the same way before mongorestore is given it."""

from __future__ import annotations

import asyncio
import shutil
import tarfile
from pathlib import Path

from pydantic import SecretStr

from backend.backups.archive import Part, Verified
from backend.backups.errors import BackupToolFailed

MEMBER = "mongodump.archive.gz"


def available() -> bool:
    return shutil.which("mongodump") is not None and shutil.which("mongorestore") is not None


def dump_argv(uri: SecretStr, database: str, target: Path) -> list[str]:
    return [
        "mongodump",
        f"--uri={uri.get_secret_value()}",
        f"--db={database}",
        f"--archive={target}",
        "--gzip",
    ]


def restore_argv(uri: SecretStr, dumped: str, database: str, source: str) -> list[str]:
    """Every collection of the dump of `dumped` replaced (`--drop`) in `database`."""
    return [
        "mongorestore",
        f"--uri={uri.get_secret_value()}",
        f"--archive={source}",
        "--gzip",
        "--drop",
        f"--nsFrom={dumped}.*",
        f"--nsTo={database}.*",
        "--stopOnError",
    ]


async def run_tool(argv: list[str]) -> None:
    """Run mongodump or mongorestore; BackupToolFailed with its last lines on failure."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    _, err = await process.communicate()
    if process.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-5:]
        raise BackupToolFailed(f"{argv[0]} exited with {process.returncode}: {' | '.join(tail)}")


async def dump(uri: SecretStr, database: str, workdir: Path) -> Path:
    target = workdir / MEMBER
    await run_tool(dump_argv(uri, database, target))
    return target


async def restore(uri: SecretStr, database: str, verified: Verified, workdir: Path) -> None:
    """mongorestore from the verified archive's dump, extracted to `workdir` first."""
    part: Part = verified.parts[0]
    with tarfile.open(verified.path, "r:") as tar:
        tar.extract(part.member, workdir, filter="data")
    dumped = verified.manifest["database"]
    await run_tool(restore_argv(uri, dumped, database, str(workdir / part.member)))
