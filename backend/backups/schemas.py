"""What a backup and a restore report."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel


class BackupMade(BaseModel):
    """One backup written: where, how, and what it holds."""

    path: str
    method: str  # export | mongodump
    created_at: datetime
    collections: int
    documents: int | None  # None for mongodump, which does not count for us
    bytes: int
    removed: list[str]  # older archives deleted to keep the newest DEBTX_BACKUPS__KEEP


class RestoreDone(BaseModel):
    """A backup verified and restored over the database."""

    path: str
    method: str
    database: str
    created_at: datetime
    collections: int
    documents: int | None
