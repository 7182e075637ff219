"""The review inbox: mutations a person should look at, and what they decided.

Rejected and quarantined mutations wait here `open`; conflicts a field's rule settled
are kept `resolved`, with both values, so a supervisor can still override them. A
reviewer re-applies an item (optionally with edited arguments) as themselves, or
dismisses it with a reason. The sending officer sees the decision as a change of the
mutation's outcome in their pull.
"""

from __future__ import annotations

import json
from typing import Any

import bson
from bson import ObjectId
from bson.errors import InvalidDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core.ids import object_id
from sync import changelog, keeping
from sync.errors import ReviewClosed, ReviewNotFound
from sync.models import KEEPING, InboxItem, InboxKind, InboxStatus, MutationRecord, Review
from sync.protocol import Mutation, Resolution
from sync.registry import Audiences, S

DECIDABLE = frozenset({InboxStatus.OPEN, InboxStatus.RESOLVED})


async def open_item(
    sender: S,
    mutation: Mutation,
    audiences: Audiences[S],
    *,
    kind: InboxKind,
    status: InboxStatus,
    code: str,
    reason: str,
    entity: str | None,
    resolutions: list[Resolution] | None = None,
    session: AsyncClientSession,
) -> InboxItem:
    item = InboxItem(
        kind=kind,
        status=status,
        client_id=mutation.client_id,
        mutation_id=mutation.mutation_id,
        uid=sender.id,
        audience=audiences.own(sender),
        reviewers=audiences.reviewers(sender),
        name=mutation.name,
        args=_storable(mutation.args),
        base_version=mutation.base_version,
        device_time=mutation.device_time,
        entity=entity,
        code=code,
        reason=reason,
        resolutions=resolutions or [],
    )
    await item.insert(session=session)
    return item


async def get(item_id: str, *, reviewer: str | None) -> InboxItem:
    """The item if `reviewer` is among its reviewers (None: one who reviews every item)."""
    key = object_id(item_id)
    item = await InboxItem.get(key) if key is not None else None
    if item is None or (reviewer is not None and reviewer not in item.reviewers):
        raise ReviewNotFound(f"No review item {item_id}")
    return item


async def page(
    *,
    reviewer: str | None,
    statuses: list[InboxStatus],
    kind: InboxKind | None,
    uid: str | None,
    before: ObjectId | None,
    limit: int,
) -> list[InboxItem]:
    """Newest first: the items `reviewer` may decide (None: every item)."""
    filters: dict[str, Any] = {"status": {"$in": [s.value for s in statuses]}}
    if reviewer is not None:
        filters["reviewers"] = reviewer
    if kind is not None:
        filters["kind"] = kind.value
    if uid is not None:
        filters["uid"] = uid
    if before is not None:
        filters["_id"] = {"$lt": before}
    cursor = InboxItem.find(filters).sort("-_id").limit(limit)
    return await cursor.to_list()


def _storable(args: dict[str, Any]) -> dict[str, Any]:
    """The payload as MongoDB can keep it. Arguments a refused mutation carried may not be
    storable as they are (a NUL in a key, a 100-bit integer, a lone surrogate): those are
    kept whole as escaped JSON text under `unstorable_json`, never dropped."""
    try:
        bson.encode({"args": args})
    except (InvalidDocument, OverflowError, UnicodeEncodeError):
        return {"unstorable_json": json.dumps(args, ensure_ascii=True)}
    return args


def require_open(item: InboxItem) -> None:
    if item.status not in DECIDABLE:
        raise ReviewClosed(f"Item {item.id} is already {item.status}", status=item.status.value)


async def decide(
    item: InboxItem,
    review: Review,
    *,
    session: AsyncClientSession,
) -> InboxItem:
    """Record the decision on the item and on the mutation's outcome, and tell the officer."""
    closed = await InboxItem.get_pymongo_collection().update_one(
        {"_id": item.id, "status": {"$in": [s.value for s in DECIDABLE]}},
        {"$set": {"status": review.status, "review": keeping.encode(review, KEEPING)}},
        session=session,
    )
    if closed.modified_count != 1:
        raise ReviewClosed(f"Item {item.id} was decided meanwhile")
    item.status, item.review = InboxStatus(review.status), review
    record = f"{item.client_id}:{item.mutation_id}"
    await MutationRecord.get_pymongo_collection().update_one(
        {"_id": record}, {"$set": {"review": keeping.encode(review, KEEPING)}}, session=session
    )
    await changelog.append(
        entity="mutation",
        entity_id=record,
        action=f"review.{review.status}",
        before=[],
        after=item.audience,
        session=session,
    )
    return item


def outcome_of(record: MutationRecord) -> dict[str, Any]:
    """What the officer's app shows for one mutation: its result and any review."""
    data: dict[str, Any] = {"result": record.result.model_dump(mode="json")}
    data["review"] = record.review.model_dump(mode="json") if record.review else None
    return data
