"""The outbox of events to OSS and what OSS says back.

`request_suspension` and `request_reinstatement` write the event in the caller's
transaction (`session`), so an event exists exactly when the change that asked for it
committed. Without a session they run their own transaction and enqueue `oss.deliver`
once it commits; with one, the caller may `dispatch` after its commit, and the beat's
`oss.sweep` sends whatever is due either way (a lost enqueue, a retry that is due).
"""

from __future__ import annotations

import json
import random
import time
from datetime import datetime, timedelta
from typing import Any

import httpx
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.core import clock, db
from backend.core.logging import get_logger
from backend.core.pagination import Page, object_id_cursor
from backend.core.settings import OssSettings
from backend.oss import repository, signing
from backend.oss.errors import EventNotFailed, EventNotFound, NotSuspended
from backend.oss.models import (
    Attempt,
    EventKind,
    EventStatus,
    OssEvent,
    ServiceState,
    ServiceStatus,
)
from backend.oss.schemas import OssEventRead, ServiceStateRead
from backend.users.models import User
from backend.worker.dispatch import enqueue

log = get_logger("debtx.oss")

DELIVER_TASK = "oss.deliver"
STALE = timedelta(minutes=5)  # a claim older than this belonged to a worker that died
SWEEP_LIMIT = 200
RETRYABLE_4XX = {408, 425, 429}
# The states in which a request of each kind was made already (its event stands).
_ASKED = {
    EventKind.SUSPENSION: {ServiceStatus.SUSPENSION_REQUESTED, ServiceStatus.SUSPENDED},
    EventKind.REINSTATEMENT: {ServiceStatus.REINSTATEMENT_REQUESTED},
}
_REINSTATABLE = {
    ServiceStatus.SUSPENSION_REQUESTED,
    ServiceStatus.SUSPENDED,
    ServiceStatus.REINSTATEMENT_REQUESTED,
}
_REQUESTED = {
    EventKind.SUSPENSION: ServiceStatus.SUSPENSION_REQUESTED,
    EventKind.REINSTATEMENT: ServiceStatus.REINSTATEMENT_REQUESTED,
}


async def request_suspension(
    *, account_id: str, reason: str, session: AsyncClientSession | None = None
) -> OssEventRead:
    """Ask OSS to suspend the account's service; asked already, the same event returns."""
    return await _request(EventKind.SUSPENSION, account_id, reason, session)


async def request_reinstatement(
    *, account_id: str, reason: str, session: AsyncClientSession | None = None
) -> OssEventRead:
    """Ask OSS to give a suspended account its service back (NotSuspended otherwise)."""
    return await _request(EventKind.REINSTATEMENT, account_id, reason, session)


async def _request(
    kind: EventKind, account_id: str, reason: str, session: AsyncClientSession | None
) -> OssEventRead:
    async with db.transaction(session) as txn:
        state = await state_for(account_id, session=txn)
        existing = await _already_asked(kind, state, txn)
        if existing is not None:
            return read_of(existing)
        event = await _emit(kind, state, reason, txn)
    if session is None:
        await dispatch(event.id)
    return read_of(event)


async def _already_asked(
    kind: EventKind, state: ServiceState, session: AsyncClientSession
) -> OssEvent | None:
    """The event standing for this request, when one was made this cycle."""
    if kind is EventKind.REINSTATEMENT and state.status not in _REINSTATABLE:
        raise NotSuspended(f"the service of {state.id} is {state.status.value}")
    if state.status in _ASKED[kind] and state.last_event_id is not None:
        return await repository.get_event(state.last_event_id, session=session)
    return None


async def _emit(
    kind: EventKind, state: ServiceState, reason: str, session: AsyncClientSession
) -> OssEvent:
    if kind is EventKind.SUSPENSION:
        state.cycle += 1
    key = f"{kind.value}:{state.id}:{state.cycle}"
    event = OssEvent(
        id=ObjectId(),
        kind=kind,
        account_id=state.id,
        idempotency_key=key,
        payload={
            "kind": kind.value,
            "account_id": state.id,
            "reason": reason,
            "cycle": state.cycle,
            "requested_at": db.as_stored(clock.now()).isoformat(),
        },
    )
    await repository.insert_event(event, session=session)
    await _move(state, _REQUESTED[kind], str(event.id), session)
    await audit.record(
        actor=None,
        action=f"oss.{kind.value}_request",
        entity_type="account",
        entity_id=state.id,
        after={"event_id": str(event.id), "idempotency_key": key, "reason": reason},
        session=session,
    )
    return event


async def _move(
    state: ServiceState, status: ServiceStatus, event_id: str, session: AsyncClientSession
) -> None:
    state.status, state.last_event_id, state.updated_at = status, event_id, clock.now()
    await repository.save_state(state, session=session)


async def state_for(account_id: str, *, session: AsyncClientSession | None = None) -> ServiceState:
    """The stored state, or a fresh `active` one (version 0: inserted on first save)."""
    found = await repository.state_of(account_id, session=session)
    return found or ServiceState(id=account_id, version=0)


async def service_state(account_id: str) -> ServiceStateRead:
    """Where the account's service stands with OSS."""
    state = await state_for(account_id)
    return ServiceStateRead(
        account_id=state.id,
        status=state.status,
        cycle=state.cycle,
        last_event_id=state.last_event_id,
        updated_at=state.updated_at if state.version else None,
    )


async def dispatch(event_id: Any) -> None:
    """Enqueue the sending of a committed event; the sweep covers a lost enqueue."""
    try:
        await enqueue(DELIVER_TASK, event_id=str(event_id))
    except Exception as exc:  # committed already; the sweep will find it
        log.error("oss.dispatch_failed", event_id=str(event_id), error=str(exc))


# --------------------------------------------------------------------------- delivery


def backoff(settings: OssSettings, attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: doubling from the base, capped, with jitter
    (between half and all of it) so events that failed together do not retry together."""
    ceiling = min(
        settings.retry_backoff_seconds * 2 ** max(attempts - 1, 0),
        settings.retry_backoff_max_seconds,
    )
    return ceiling * random.uniform(0.5, 1.0)


def body_of(event: OssEvent) -> bytes:
    """The webhook's body: the payload with the event's id and idempotency key."""
    document = {
        **event.payload,
        "event_id": str(event.id),
        "idempotency_key": event.idempotency_key,
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def headers_of(event: OssEvent, body: bytes, secret: str, now: float | None = None) -> dict:
    timestamp = str(int(now if now is not None else time.time()))
    return {
        "content-type": "application/json",
        signing.TIMESTAMP: timestamp,
        signing.IDEMPOTENCY_KEY: event.idempotency_key,
        signing.SIGNATURE: signing.sign(secret, timestamp, body),
    }


async def deliver(
    event_id: str, *, http: httpx.AsyncClient, settings: OssSettings, now: datetime | None = None
) -> float | None:
    """One attempt at a due event; the seconds until the next one when it must retry."""
    now = now or clock.now()
    event = await repository.claim(event_id, now=now, stale_before=now - STALE)
    if event is None:
        return None  # sent already, not due yet, or another worker has it
    status, detail = await _post(event, http, settings)
    fields, wait = _outcome(event, status, detail, settings, now)
    await repository.write_attempt(event, fields, Attempt(at=now, status=status, detail=detail))
    log.info(f"oss.event.{fields['status'].value}", event_id=event_id, http_status=status)
    return wait


async def _post(
    event: OssEvent, http: httpx.AsyncClient, settings: OssSettings
) -> tuple[int | None, str]:
    body = body_of(event)
    headers = headers_of(event, body, settings.signing_secret.get_secret_value())
    try:
        answer = await http.post(
            settings.base_url.rstrip("/") + "/events",
            content=body,
            headers=headers,
            timeout=settings.timeout_seconds,
        )
    except httpx.TimeoutException:
        return None, "timed out"
    except httpx.HTTPError as exc:
        return None, f"unreachable: {type(exc).__name__}"
    return answer.status_code, answer.text[:200] or answer.reason_phrase


def _outcome(
    event: OssEvent, status: int | None, detail: str, settings: OssSettings, now: datetime
) -> tuple[dict[str, Any], float | None]:
    attempts = event.attempts + 1
    fields: dict[str, Any] = {"attempts": attempts}
    if status is not None and 200 <= status < 300:
        fields.update(status=EventStatus.DELIVERED, delivered_at=now, next_attempt_at=None)
        return fields, None
    permanent = status is not None and 400 <= status < 500 and status not in RETRYABLE_4XX
    if permanent or attempts >= settings.max_attempts:
        fields.update(status=EventStatus.FAILED, failed_at=now, next_attempt_at=None)
        return fields, None
    wait = backoff(settings, attempts)
    fields.update(status=EventStatus.PENDING, next_attempt_at=now + timedelta(seconds=wait))
    return fields, wait


async def sweep(
    *, http: httpx.AsyncClient, settings: OssSettings, now: datetime | None = None
) -> int:
    """Send every due event no live worker is sending; how many were tried."""
    now = now or clock.now()
    ids = await repository.due_ids(now=now, stale_before=now - STALE, limit=SWEEP_LIMIT)
    for event_id in ids:
        await deliver(event_id, http=http, settings=settings, now=now)
    return len(ids)


async def retry_failed(*, actor: User, event_id: str) -> OssEventRead:
    """Operator staff send a failed event again, under its same idempotency key."""
    async with db.transaction() as txn:
        event = await repository.get_event(event_id, session=txn)
        if event is None:
            raise EventNotFound(f"no event {event_id}")
        if event.status is not EventStatus.FAILED or event.acknowledged_at is not None:
            raise EventNotFailed(f"event {event_id} is {event.status.value}")
        fields = {"status": EventStatus.PENDING, "attempts": 0, "next_attempt_at": clock.now()}
        await repository.reopen(event, fields, session=txn)
        await audit.record(
            actor=actor,
            action="oss.event_retry",
            entity_type="oss_event",
            entity_id=event_id,
            before={"status": EventStatus.FAILED.value},
            after={"status": EventStatus.PENDING.value},
            session=txn,
        )
    await dispatch(event_id)
    return read_of(event.model_copy(update=fields))


# --------------------------------------------------------------------------- reading


async def list_events(
    *,
    status: EventStatus | None,
    kind: EventKind | None,
    account_id: str | None,
    cursor: str | None,
    limit: int,
) -> Page[OssEventRead]:
    """Events to OSS, newest first; `failed` ones are operator staff's to follow up."""
    filters: dict[str, Any] = {}
    for name, value in (("status", status), ("kind", kind), ("account_id", account_id)):
        if value is not None:
            filters[name] = str(value)
    rows = await repository.find_events(filters, before=object_id_cursor(cursor), limit=limit + 1)
    shown = rows[:limit]
    next_cursor = str(shown[-1].id) if len(rows) > limit else None
    return Page(items=[read_of(e) for e in shown], next_cursor=next_cursor)


def read_of(event: OssEvent) -> OssEventRead:
    return OssEventRead.model_validate(
        {**event.model_dump(exclude={"id", "revision_id", "claim"}), "id": str(event.id)}
    )
