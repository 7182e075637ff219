"""Applies pushed mutations exactly once and answers each with a result.

Per client, mutation ids are consecutive from 1 and applied in that order. The ledger
(the client's last applied id) moves in the same transaction as the mutation's effect
and its stored result, so a mutation counts as done exactly when its effect committed:
a replay, or a batch sent again after a crash, finds the stored result and changes
nothing. A mutation above the next expected id is a gap: earlier ones are still on
their way, so it is answered `retry` and nothing moves.

A mutation the domain refuses still advances the ledger: it is answered `rejected` or
`quarantined`, kept in the review inbox, and the mutations after it go on. Only one that
names it in `depends_on` is held back with it (quarantined as well).
"""

from __future__ import annotations

import asyncio
import random
from typing import Any, Generic

import structlog
from pydantic import ValidationError
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from backend.core import db
from backend.core.errors import DomainError, ValidationFailed
from sync import changelog, inbox
from sync.errors import (
    BadDependency,
    BaseVersionRequired,
    ClientNotYours,
    DependencyNotApplied,
    MutationGap,
    NotHolder,
    Unavailable,
    UnknownMutation,
)
from sync.models import InboxItem, InboxKind, InboxStatus, MutationRecord, SyncClient
from sync.protocol import KEPT_FOR_REVIEW, Mutation, Result, Status, Winner
from sync.registry import AfterCommit, Applied, Call, MutationSpec, Policy, Registry, S, Sender

log = structlog.get_logger("debtx.sync")

ATTEMPTS = 4


class Retryable(Exception):
    """A concurrent writer got there first; run the mutation again from the start."""


class Refusal(Exception):
    """The domain refused the mutation: it is answered and kept for review."""

    def __init__(self, status: Status, error: DomainError, entity: str | None = None) -> None:
        super().__init__(error.detail)
        self.status, self.error, self.entity = status, error, entity


def record_id(client_id: str, mutation_id: int) -> str:
    return f"{client_id}:{mutation_id}"


class Engine(Generic[S]):
    def __init__(self, registry: Registry[S]) -> None:
        self.registry = registry

    async def push(self, sender: S, mutations: list[Mutation]) -> list[Result]:
        """One result per mutation, in the order sent; each client's run in id order."""
        answers: dict[tuple[str, int], Result] = {}
        for mutation in sorted(mutations, key=lambda m: (m.client_id, m.mutation_id)):
            key = (mutation.client_id, mutation.mutation_id)
            if key not in answers:
                answers[key] = await self.apply(sender, mutation)
        return [answers[(m.client_id, m.mutation_id)] for m in mutations]

    async def apply(self, sender: S, mutation: Mutation) -> Result:
        """Apply one mutation, retrying races with concurrent writers a few times."""
        for attempt in range(ATTEMPTS):
            try:
                return await self._attempt(sender, mutation)
            except (Retryable, db.WriteConflict):
                await asyncio.sleep(random.uniform(0.005, 0.02) * 2**attempt)
            except ConnectionFailure as exc:
                log.warning("sync.unavailable", error=str(exc))
                break
        return _answer(mutation, Status.RETRY, Unavailable("Busy or unreachable; send again"))

    async def _attempt(self, sender: S, mutation: Mutation) -> Result:
        later: list[AfterCommit] = []
        try:
            async with db.transaction() as session:
                done = await _claim(sender, mutation, session)
                if done is not None:
                    return done
                applied, entity = await self._effect(sender, mutation, session)
                if applied.after is not None:
                    later.append(applied.after)
                result = await self._settle(sender, mutation, applied, entity, later, session)
        except Refusal as refusal:
            async with db.transaction() as session:
                done = await _claim(sender, mutation, session)
                if done is not None:
                    return done
                result = await self._keep(sender, mutation, refusal, later, session)
        for step in later:
            await step()
        return result

    async def _effect(
        self, sender: S, mutation: Mutation, session: AsyncClientSession
    ) -> tuple[Applied, str]:
        spec = self.registry.mutations.get(mutation.name)
        if spec is None:
            raise Refusal(Status.REJECTED, UnknownMutation(f"No mutation {mutation.name}"))
        await _check_dependencies(mutation, session)
        return await run(spec, sender, mutation, mutation.args, session)

    async def _settle(
        self,
        sender: S,
        mutation: Mutation,
        applied: Applied,
        entity: str,
        later: list[AfterCommit],
        session: AsyncClientSession,
    ) -> Result:
        status = Status.MERGED if applied.resolutions else Status.APPLIED
        result = _answer(mutation, status, None, entity=entity, version=applied.version)
        result.resolutions = applied.resolutions
        if applied.resolutions:
            manual = any(r.winner is Winner.PENDING for r in applied.resolutions)
            item = await inbox.open_item(
                sender,
                mutation,
                self.registry.audiences,
                kind=InboxKind.CONFLICT,
                status=InboxStatus.OPEN if manual else InboxStatus.RESOLVED,
                code="sync.conflict",
                reason="changed on the server since the app read it",
                entity=entity,
                resolutions=applied.resolutions,
                session=session,
            )
            result.review_id = str(item.id)
            if manual:
                await self._after_review(item, later, session)
        await self._store(sender, mutation, result, session)
        return result

    async def _keep(
        self,
        sender: S,
        mutation: Mutation,
        refusal: Refusal,
        later: list[AfterCommit],
        session: AsyncClientSession,
    ) -> Result:
        result = _answer(mutation, refusal.status, refusal.error, entity=refusal.entity)
        kind = InboxKind.QUARANTINED if refusal.status is Status.QUARANTINED else InboxKind.REJECTED
        item = await inbox.open_item(
            sender,
            mutation,
            self.registry.audiences,
            kind=kind,
            status=InboxStatus.OPEN,
            code=refusal.error.code,
            reason=refusal.error.detail,
            entity=refusal.entity,
            session=session,
        )
        result.review_id = str(item.id)
        await self._store(sender, mutation, result, session)
        await self._after_review(item, later, session)
        return result

    async def _after_review(
        self, item: InboxItem, later: list[AfterCommit], session: AsyncClientSession
    ) -> None:
        """Run the review hooks in the transaction; what they hand back runs after commit."""
        for hook in self.registry.review_hooks:
            step = await hook(item, session)
            if step is not None:
                later.append(step)

    async def _store(
        self, sender: S, mutation: Mutation, result: Result, session: AsyncClientSession
    ) -> None:
        """Keep the answer for replays, and tell the sender's other readers (pull, the mirror)."""
        key = record_id(mutation.client_id, mutation.mutation_id)
        await changelog.append(
            entity="mutation",
            entity_id=key,
            action=f"mutation.{result.status.value}",
            before=[],
            after=self.registry.audiences.own(sender),
            session=session,
        )
        await MutationRecord(
            id=key,
            client_id=mutation.client_id,
            mutation_id=mutation.mutation_id,
            uid=sender.id,
            name=mutation.name,
            result=result,
        ).insert(session=session)


async def run(
    spec: MutationSpec[S, Any, Any],
    actor: S,
    mutation: Mutation,
    raw: dict[str, Any],
    session: AsyncClientSession,
) -> tuple[Applied, str]:
    """Validate, locate and apply one mutation as `actor`; a refusal raises `Refusal`."""
    try:
        args = spec.args.model_validate(raw)
    except ValidationError as exc:
        errors = [{"field": ".".join(map(str, e["loc"])), "reason": e["msg"]} for e in exc.errors()]
        invalid = ValidationFailed(f"Arguments of {spec.name} are not valid", errors=errors)
        raise Refusal(Status.REJECTED, invalid) from exc
    if spec.policy is Policy.FIELD_MERGE and mutation.base_version is None:
        raise Refusal(Status.REJECTED, BaseVersionRequired(f"{spec.name} needs base_version"))
    entity = None
    try:
        target = await spec.locate(actor, args, session)
        entity = f"{target.entity}:{target.id}"
        applied = await spec.apply(Call(actor, mutation, args, target, session))
        entity = applied.entity or entity
    except NotHolder as exc:
        raise Refusal(Status.QUARANTINED, exc, entity or exc.extra.get("entity")) from exc
    except (db.WriteConflict, DuplicateKeyError) as exc:
        raise Retryable() from exc
    except DomainError as exc:
        if exc.retryable:
            raise Retryable() from exc
        raise Refusal(Status.REJECTED, exc, entity) from exc
    except PyMongoError as exc:
        if exc.has_error_label("TransientTransactionError") or getattr(exc, "code", None) == 112:
            raise Retryable() from exc
        raise
    return applied, entity


async def _claim(sender: Sender, mutation: Mutation, session: AsyncClientSession) -> Result | None:
    """Move the client's ledger to this mutation, or say why not: the stored result of
    a replay, or `retry` for a gap. The move commits with the mutation's effect."""
    clients = SyncClient.get_pymongo_collection()
    client = await clients.find_one({"_id": mutation.client_id}, session=session)
    if client is None:
        client = {"_id": mutation.client_id, "uid": sender.id, "last_mutation_id": 0}
        try:
            await clients.insert_one(client, session=session)
        except DuplicateKeyError as exc:
            raise Retryable() from exc
    if client["uid"] != sender.id:
        return _answer(mutation, Status.REJECTED, ClientNotYours("Use a client_id of your own"))
    last = client["last_mutation_id"]
    if mutation.mutation_id <= last:
        return await _replay(mutation, session)
    if mutation.mutation_id > last + 1:
        gap = MutationGap(f"Send mutation {last + 1} first", expected_mutation_id=last + 1)
        return _answer(mutation, Status.RETRY, gap)
    moved = await clients.update_one(
        {"_id": mutation.client_id, "last_mutation_id": last},
        {"$set": {"last_mutation_id": mutation.mutation_id, "updated_at": mutation.device_time}},
        session=session,
    )
    if moved.modified_count != 1:
        raise Retryable()
    return None


async def _replay(mutation: Mutation, session: AsyncClientSession) -> Result:
    stored = await MutationRecord.get_pymongo_collection().find_one(
        {"_id": record_id(mutation.client_id, mutation.mutation_id)}, session=session
    )
    if stored is not None:
        return Result.model_validate(stored["result"])
    # Applied long ago; its record has aged out with the retained history.
    return _answer(mutation, Status.APPLIED, None)


async def _check_dependencies(mutation: Mutation, session: AsyncClientSession) -> None:
    if not mutation.depends_on:
        return
    if any(d >= mutation.mutation_id for d in mutation.depends_on):
        raise Refusal(Status.REJECTED, BadDependency("depends_on names a later mutation"))
    ids = [record_id(mutation.client_id, d) for d in mutation.depends_on]
    cursor = MutationRecord.get_pymongo_collection().find({"_id": {"$in": ids}}, session=session)
    async for stored in cursor:
        held = Status(stored["result"]["status"]) in KEPT_FOR_REVIEW
        if held and (stored.get("review") or {}).get("status") != "reapplied":
            raise Refusal(
                Status.QUARANTINED,
                DependencyNotApplied(
                    f"Mutation {stored['mutation_id']} it depends on was not applied"
                ),
            )


def _answer(
    mutation: Mutation,
    status: Status,
    error: DomainError | None,
    *,
    entity: str | None = None,
    version: int | None = None,
) -> Result:
    return Result(
        client_id=mutation.client_id,
        mutation_id=mutation.mutation_id,
        status=status,
        code=error.code if error else None,
        message=error.detail if error else None,
        entity=entity,
        server_version=version,
    )
