"""The Firestore outbox: mutations the app wrote as documents, applied by the same engine.

The app writes `outbox/{uid}/mutations/{doc_id}` with a mutation's fields and
`status: "pending"`. Whoever delivers it (the Cloud Function through the API's internal
route, or the poller where Functions are not deployed) reads the document itself,
applies it as `uid` with the engine `POST /sync/push` uses, and writes the outcome back:
`status`, `result`, `processed_at`. Exactly once comes from the engine's ledger, not
from Firestore: a document handled twice, or two documents with the same client_id and
mutation_id, get the same result and change nothing more.

Documents may be delivered out of order. A mutation answered `retry` stays open, and a
user's open documents are always tried in `mutation_id` order, so the document that
fills a gap lets the ones after it through in the same pass. A retried document is due
again after a growing delay, and at once whenever its user has a new document.

The layout is in mobile_contract/sync/OUTBOX.md.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable
from datetime import timedelta
from enum import StrEnum
from typing import Any, Generic, Literal

import structlog
from google.api_core.exceptions import FailedPrecondition
from google.api_core.exceptions import NotFound as DocumentGone
from google.cloud.firestore import SERVER_TIMESTAMP, AsyncClient, FieldFilter, Increment
from google.cloud.firestore_v1.async_document import AsyncDocumentReference
from google.cloud.firestore_v1.base_document import DocumentSnapshot
from pydantic import BaseModel, ValidationError

from backend.core import clock
from backend.core.errors import DomainError, NotFound, ValidationFailed
from sync.engine import Engine
from sync.protocol import Mutation, Result, Status
from sync.registry import S

log = structlog.get_logger("debtx.sync")

ROOT = "outbox"
MUTATIONS = "mutations"
# Fields the transport owns (or the app may add for itself); the rest is the mutation.
TRANSPORT_FIELDS = frozenset(
    {"status", "result", "processed_at", "attempts", "retry_at", "created_at"}
)
MAX_BACKOFF_SECONDS = 300


class OutboxStatus(StrEnum):
    PENDING = "pending"  # written by the app; not yet handled
    APPLIED = Status.APPLIED.value
    MERGED = Status.MERGED.value
    REJECTED = Status.REJECTED.value
    QUARANTINED = Status.QUARANTINED.value
    RETRY = Status.RETRY.value  # still open: tried again later
    REFUSED = "refused"  # not a mutation the engine could take (see `result.code`)


OPEN = (OutboxStatus.PENDING, OutboxStatus.RETRY)
# The client's ledger moved: documents waiting behind this one may now go through.
ADVANCED = frozenset(
    {OutboxStatus.APPLIED, OutboxStatus.MERGED, OutboxStatus.REJECTED, OutboxStatus.QUARANTINED}
)


class OutboxInvalid(ValidationFailed):
    """An outbox document is not a valid mutation; `errors` lists each field and reason."""

    code = "sync.outbox_invalid"
    title = "Outbox document is not a valid mutation"


class OutboxNotFound(NotFound):
    """No outbox document at outbox/{uid}/mutations/{doc_id}."""

    code = "sync.outbox_not_found"
    title = "Outbox document not found"


class Refused(BaseModel):
    """The result written onto a document the engine never saw."""

    status: Literal["refused"] = "refused"
    code: str
    message: str
    client_id: str | None = None
    mutation_id: int | None = None
    errors: list[dict[str, str]] = []


class Processed(BaseModel):
    """What became of one outbox document; the same status and result are on the document."""

    uid: str
    doc_id: str
    status: OutboxStatus
    result: Result | Refused | None = None  # None only for a document never handled


Admit = Callable[[Mutation], None]
# A snapshot of an outbox document, as the async client's queries and reads give them.
Snapshot = DocumentSnapshot[AsyncDocumentReference]


def _admit_all(mutation: Mutation) -> None:
    return None


class Outbox(Generic[S]):
    """Reads open outbox documents, applies them with `engine` and writes the results back.

    `resolve_user(uid)` returns the sender or raises a `DomainError` below 500 to refuse
    the document; `admit(mutation)` raises one to refuse a mutation (an app too old).
    """

    def __init__(
        self,
        firestore: AsyncClient,
        engine: Engine[S],
        *,
        resolve_user: Callable[[str], Awaitable[S]],
        admit: Admit = _admit_all,
        batch: int = 200,
        concurrency: int = 8,
    ) -> None:
        self.firestore, self.engine = firestore, engine
        self.resolve_user, self.admit = resolve_user, admit
        self.batch, self.concurrency = batch, concurrency

    async def deliver(self, uid: str, doc_id: str) -> Processed:
        """Handle one named document, then any of its user's documents it unblocked."""
        reference = self.firestore.collection(ROOT, uid, MUTATIONS).document(doc_id)
        snapshot = await reference.get()
        if not snapshot.exists:
            raise OutboxNotFound(f"No outbox document {reference.path}")
        processed = await self._process(uid, snapshot)
        if processed.status in ADVANCED:
            await self.drain(uid)
        return processed

    async def poll(self) -> Counter[str]:
        """One pass: every user with a pending document, or a retry now due, is drained."""
        due: dict[str, list[Snapshot]] = {}
        for snapshot in await self._due():
            due.setdefault(_uid(snapshot), []).append(snapshot)
        counts: Counter[str] = Counter()
        gate = asyncio.Semaphore(self.concurrency)

        async def one(uid: str, found: list[Snapshot]) -> None:
            async with gate:
                try:
                    done = await self.drain(uid)
                except Exception:
                    log.exception("sync.outbox.failed", uid=uid)
                    counts["failed"] += 1
                    return
                seen = {p.doc_id for p in done}
                # A document too malformed to be ordered (no mutation_id) is found only here.
                more = [await self._try(uid, s) for s in found if s.id not in seen]
                counts.update(p.status.value for p in [*done, *more] if p is not None)

        await asyncio.gather(*(one(uid, found) for uid, found in due.items()))
        return counts

    async def drain(self, uid: str) -> list[Processed]:
        """Try the user's open documents in mutation_id order; one that fails stays open."""
        query = (
            self.firestore.collection(ROOT, uid, MUTATIONS)
            .where(filter=FieldFilter("status", "in", [s.value for s in OPEN]))
            .order_by("mutation_id")
            .limit(self.batch)
        )
        done = [await self._try(uid, snapshot) for snapshot in await query.get()]
        return [processed for processed in done if processed is not None]

    async def _due(self) -> list[Snapshot]:
        group = self.firestore.collection_group(MUTATIONS)
        pending = group.where(filter=FieldFilter("status", "==", OutboxStatus.PENDING.value))
        retry = (
            group.where(filter=FieldFilter("status", "==", OutboxStatus.RETRY.value))
            .where(filter=FieldFilter("retry_at", "<=", clock.now()))
            .order_by("retry_at")
        )
        found: list[Snapshot] = []
        for query in (pending.limit(self.batch), retry.limit(self.batch)):
            found += [s for s in await query.get() if _in_outbox(s.reference.path)]
        return found

    async def _try(self, uid: str, snapshot: Snapshot) -> Processed | None:
        """A document that breaks (a bug, a database down) must not stall the others."""
        try:
            return await self._process(uid, snapshot)
        except Exception:
            log.exception("sync.outbox.failed", path=snapshot.reference.path)
            return None

    async def _process(self, uid: str, snapshot: Snapshot) -> Processed:
        data = snapshot.to_dict() or {}
        status = data.get("status", OutboxStatus.PENDING.value)
        if status not in OPEN:
            return _stored(uid, snapshot.id, status, data.get("result"))
        result = await self._outcome(uid, data)
        processed = Processed(
            uid=uid, doc_id=snapshot.id, status=OutboxStatus(result.status), result=result
        )
        tried = data.get("attempts")
        await self._write_back(snapshot, processed, tried if type(tried) is int else 0)
        return processed

    async def _outcome(self, uid: str, data: dict[str, Any]) -> Result | Refused:
        fields = {k: v for k, v in data.items() if k not in TRANSPORT_FIELDS}
        try:
            mutation = Mutation.model_validate(fields)
        except ValidationError as exc:
            invalid = OutboxInvalid("The document is not a valid mutation")
            return _refused(invalid, fields, errors=_field_errors(exc.errors()))
        try:
            self.admit(mutation)
            sender = await self.resolve_user(uid)
        except DomainError as exc:
            if exc.status >= 500:
                raise
            return _refused(exc, fields)
        return await self.engine.apply(sender, mutation)

    async def _write_back(self, snapshot: Snapshot, done: Processed, tried: int) -> None:
        assert done.result is not None
        update: dict[str, Any] = {
            "status": done.status.value,
            "result": done.result.model_dump(mode="json"),
            "processed_at": SERVER_TIMESTAMP,
            "attempts": Increment(1),
        }
        if done.status is OutboxStatus.RETRY:
            delay = min(2 ** (tried + 1), MAX_BACKOFF_SECONDS)
            update["retry_at"] = clock.now() + timedelta(seconds=delay)
        # Written only over the version read: when the function and the poller race, the
        # first write stands (both computed the same answer from the engine's ledger).
        option = self.firestore.write_option(last_update_time=snapshot.update_time)
        try:
            await snapshot.reference.update(update, option=option)
        except (FailedPrecondition, DocumentGone):
            log.info("sync.outbox.raced", path=snapshot.reference.path)
            return
        event = "sync.outbox.refused" if done.status is OutboxStatus.REFUSED else "sync.outbox.done"
        log.info(
            event,
            path=snapshot.reference.path,
            status=done.status.value,
            code=getattr(done.result, "code", None),
        )


def _uid(snapshot: Snapshot) -> str:
    uid: str = snapshot.reference.path.split("/")[1]
    return uid


def _in_outbox(path: str) -> bool:
    parts = path.split("/")
    return len(parts) == 4 and parts[0] == ROOT and parts[2] == MUTATIONS


def _refused(
    error: DomainError, fields: dict[str, Any], errors: list[dict[str, str]] | None = None
) -> Refused:
    client_id, mutation_id = fields.get("client_id"), fields.get("mutation_id")
    return Refused(
        code=error.code,
        message=error.detail,
        client_id=client_id if isinstance(client_id, str) else None,
        mutation_id=mutation_id if type(mutation_id) is int else None,
        errors=errors or [],
    )


def _field_errors(errors: Iterable[Any]) -> list[dict[str, str]]:
    return [{"field": ".".join(map(str, e["loc"])), "reason": e["msg"]} for e in errors]


def _stored(uid: str, doc_id: str, status: str, raw: Any) -> Processed:
    """A document handled before: its status and result as written then."""
    try:
        kind = OutboxStatus(status)
    except ValueError:
        kind = OutboxStatus.REFUSED
    result: Result | Refused | None = None
    try:
        if isinstance(raw, dict):
            model = Refused if kind is OutboxStatus.REFUSED else Result
            result = model.model_validate(raw)
    except ValidationError:
        result = None
    return Processed(uid=uid, doc_id=doc_id, status=kind, result=result)
