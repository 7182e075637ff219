"""Use cases of offline sync: push, pull, outcomes, and the supervisors' review inbox."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from packaging.version import Version
from pydantic import BaseModel
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.core import audiences, db, pii
from backend.core.pagination import (
    InvalidCursor,
    Page,
    decode_keyset,
    encode_keyset,
    object_id_cursor,
)
from backend.core.settings import SyncSettings
from backend.domains import ENTITIES, MUTATIONS
from backend.notifications import service as notifications
from backend.notifications.service import MutationOutcome
from backend.syncing.schemas import InboxRead
from backend.syncing.schemas import MutationOutcome as OutcomeRead
from backend.users.models import Role, User
from sync import inbox
from sync.engine import Engine, Refusal, Retryable, run
from sync.errors import ClientOutdated, UnknownMutation
from sync.models import DeadLetter, InboxItem, InboxKind, InboxStatus, MutationRecord, Review
from sync.protocol import Mutation, PullPage, Result, Status
from sync.pull import pull as pull_changes
from sync.registry import AfterCommit, Audiences, Registry

# A reviewer re-applies against the record as it is now: no field counts as unseen.
CURRENT = 2**53


def _own(user: User) -> list[str]:
    return [audiences.officer(user.id)]


def _reviewers(user: User) -> list[str]:
    """A DRC's supervisors review what its officers sent; operator staff review everything."""
    return [audiences.drc(user.drc_id)] if user.drc_id else []


def _registry() -> Registry:
    registry = Registry(Audiences(own=_own, reviewers=_reviewers))
    for mutation in MUTATIONS:
        mutation.register(registry)
    for entity in ENTITIES:
        registry.entity(entity.name, load=entity.load, snapshot=entity.snapshot)
    registry.on_review(_tell_officer)
    return registry


async def _tell_officer(item: InboxItem, session: AsyncClientSession) -> AfterCommit:
    """The officer hears that their mutation was refused or waits for a supervisor."""
    outcome = (
        MutationOutcome.REJECTED if item.kind is InboxKind.REJECTED else MutationOutcome.IN_REVIEW
    )
    entity, _, entity_id = (item.entity or "").partition(":")
    stored = await notifications.notify_mutation_outcome(
        officer_id=item.uid,
        case_id=entity_id if entity == "case" else None,
        mutation_id=f"{item.client_id}:{item.mutation_id}",
        outcome=outcome,
        reason=item.reason,
        session=session,
    )
    return partial(notifications.dispatch, stored)


REGISTRY = _registry()
ENGINE = Engine(REGISTRY)


def audience_of(user: User) -> str | None:
    """What of the change log a user reads: their own cases, their DRC's, or everything;
    also the review inbox items a reviewer may decide."""
    if user.is_operator:
        return None
    if user.role is Role.DRC_SUPERVISOR and user.drc_id:
        return audiences.drc(user.drc_id)
    return audiences.officer(user.id)


def check_client(settings: SyncSettings, batch: list[Mutation]) -> None:
    """Refuse the whole push when any mutation comes from an app or schema too old."""
    for mutation in batch:
        if Version(mutation.app_version) < Version(settings.min_app_version):
            raise ClientOutdated(
                f"App {mutation.app_version} is older than {settings.min_app_version}",
                min_app_version=settings.min_app_version,
            )
        if mutation.schema_version < settings.min_schema_version:
            raise ClientOutdated(
                f"Mutation schema {mutation.schema_version} is older than "
                f"{settings.min_schema_version}",
                min_schema_version=settings.min_schema_version,
            )


async def push(*, actor: User, batch: list[Mutation]) -> list[Result]:
    return await ENGINE.push(actor, batch)


async def pull(*, actor: User, since: str | None, limit: int) -> PullPage:
    return await pull_changes(REGISTRY, actor, audience_of(actor), since, limit)


async def outcomes(
    *, actor: User, client_id: str | None, cursor: str | None, limit: int
) -> Page[OutcomeRead]:
    """The caller's own mutations, newest first, with any reviewer's decision."""
    filters: dict[str, Any] = {"uid": actor.id}
    if client_id is not None:
        filters["client_id"] = client_id
    position = decode_keyset(cursor, 2)
    if position is not None:
        at = _instant(position[0])
        filters["$or"] = [{"at": {"$lt": at}}, {"at": at, "_id": {"$lt": position[1]}}]
    query = MutationRecord.find(filters).sort("-at", "-_id").limit(limit + 1)
    rows = await query.to_list()
    items = [OutcomeRead.of(row) for row in rows[:limit]]
    last = rows[limit - 1] if len(rows) > limit else None
    return Page(items=items, next_cursor=encode_keyset(last.at, last.id) if last else None)


def _instant(value: Any) -> datetime:
    try:
        return datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidCursor("Cursor was not issued by this server") from exc


async def review_page(
    *,
    actor: User,
    statuses: list[InboxStatus],
    kind: InboxKind | None,
    uid: str | None,
    cursor: str | None,
    limit: int,
) -> Page[InboxRead]:
    rows = await inbox.page(
        reviewer=audience_of(actor),
        statuses=statuses,
        kind=kind,
        uid=uid,
        before=object_id_cursor(cursor),
        limit=limit + 1,
    )
    items = [InboxRead.of(row) for row in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)


async def review_item(*, actor: User, item_id: str) -> InboxItem:
    return await inbox.get(item_id, reviewer=audience_of(actor))


async def reapply(
    *, actor: User, item_id: str, args: dict[str, Any] | None, note: str | None
) -> InboxItem:
    """Apply a kept mutation as the reviewer, with edited arguments if given.

    It runs against the record as it is now; a refusal comes back to the reviewer as a
    problem and the item stays as it was.
    """
    item = await review_item(actor=actor, item_id=item_id)
    inbox.require_open(item)
    spec = REGISTRY.mutations.get(item.name)
    if spec is None:
        raise UnknownMutation(f"No mutation {item.name}")
    mutation = _as_kept(item, args)
    try:
        async with db.transaction() as session:
            applied, entity = await run(spec, actor, mutation, mutation.args, session)
            result = Result(
                client_id=item.client_id,
                mutation_id=item.mutation_id,
                status=Status.MERGED if applied.resolutions else Status.APPLIED,
                resolutions=applied.resolutions,
                entity=entity,
                server_version=applied.version,
            )
            review = Review(status=InboxStatus.REAPPLIED, by=actor.id, note=note, result=result)
            return await inbox.decide(item, review, session=session)
    except Refusal as refusal:
        raise refusal.error from refusal
    except Retryable as exc:
        raise db.WriteConflict("The case changed meanwhile; try again") from exc


def arguments_of(name: str) -> type[BaseModel]:
    """The argument schema a mutation is validated with, as registered by its domain."""
    spec = REGISTRY.mutations.get(name)
    if spec is None:
        raise UnknownMutation(f"No mutation {name}")
    return spec.args


def _as_kept(item: InboxItem, args: dict[str, Any] | None) -> Mutation:
    """The kept mutation, with `args` if given, against the record as it is now."""
    return Mutation.model_construct(
        client_id=item.client_id,
        mutation_id=item.mutation_id,
        name=item.name,
        args=args if args is not None else item.args,
        base_version=CURRENT,
        device_time=item.device_time,
        app_version="0",
        schema_version=1,
        depends_on=[],
    )


async def dismiss(*, actor: User, item_id: str, reason: str) -> InboxItem:
    item = await review_item(actor=actor, item_id=item_id)
    inbox.require_open(item)
    async with db.transaction() as session:
        review = Review(status=InboxStatus.DISMISSED, by=actor.id, note=reason)
        return await inbox.decide(item, review, session=session)


async def keep_inbox_audiences() -> int:
    """Once, after upgrading: review items stored with their sender's DRC (`drc_id`) get
    the audiences the inbox reads now; how many items were given them."""
    items = InboxItem.get_pymongo_collection()
    updates = [
        UpdateOne(
            {"_id": item["_id"]},
            {
                "$set": {
                    "audience": [audiences.officer(item["uid"])],
                    "reviewers": [audiences.drc(item["drc_id"])] if item.get("drc_id") else [],
                },
                "$unset": {"drc_id": ""},
            },
        )
        async for item in items.find({"reviewers": {"$exists": False}}, {"uid": 1, "drc_id": 1})
    ]
    if updates:
        await items.bulk_write(updates, ordered=False)
    return len(updates)


async def reseal_pii() -> list[pii.Resealed]:
    """Seal what the review inbox and the ledger keep of officers' values (arguments,
    both sides of a conflict), and the mirror's refused documents, under the current key."""
    return [await pii.reseal_collection(m) for m in (InboxItem, MutationRecord, DeadLetter)]
