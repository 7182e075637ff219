from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from backend.audit import service
from backend.audit.schemas import AuditQuery, AuditRead
from backend.auth.deps import OperatorStaff
from backend.core.pagination import Limit, ObjectIdCursor, Page
from backend.core.schemas import Timestamp

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", summary="Search the audit trail")
async def search_audit(
    _: OperatorStaff,
    entity_type: Annotated[str | None, Query(min_length=1, max_length=64)] = None,
    entity_id: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    actor_uid: Annotated[str | None, Query(min_length=1, max_length=128)] = None,
    since: Timestamp | None = None,
    until: Timestamp | None = None,
    cursor: ObjectIdCursor = None,
    limit: Limit = 100,
) -> Page[AuditRead]:
    """Operator staff only; newest first."""
    query = AuditQuery(
        entity_type=entity_type, entity_id=entity_id, actor_uid=actor_uid, since=since, until=until
    )
    return await service.search(query=query, cursor=cursor, limit=limit)
