from __future__ import annotations

from datetime import datetime
from typing import Any

from beanie import Document
from pymongo import ASCENDING, DESCENDING, IndexModel


class AuditRecord(Document):
    """One state change, as it happened. Never updated, never deleted."""

    at: datetime
    actor_uid: str | None
    actor_role: str | None
    action: str
    entity_type: str
    entity_id: str
    drc_id: str | None = None
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    request_id: str | None = None

    class Settings:
        name = "audit_log"
        indexes = [
            IndexModel([("entity_type", ASCENDING), ("entity_id", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("actor_uid", ASCENDING), ("_id", DESCENDING)]),
            IndexModel([("at", DESCENDING)]),
        ]
