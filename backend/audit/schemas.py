from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class AuditRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    at: datetime
    actor_uid: str | None
    actor_role: str | None
    action: str
    entity_type: str
    entity_id: str
    drc_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None


class AuditQuery(BaseModel):
    entity_type: str | None = None
    entity_id: str | None = None
    actor_uid: str | None = None
    since: datetime | None = None
    until: datetime | None = None
