"""OSS's acknowledgement callback: signed with the callback secret over `timestamp.body`,
fresh, and new. A tampered, stale or replayed callback is refused and changes nothing."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.core import clock, db, signing
from backend.core.settings import OssSettings
from backend.oss import cure, repository, service
from backend.oss.errors import CallbackRefused, CallbackReplayed, EventNotFound
from backend.oss.models import EventKind, EventStatus, OssCallback, OssEvent, ServiceStatus
from backend.oss.schemas import CallbackAccepted, CallbackBody

_CHECK = signing.Check(CallbackBody, "the callback", CallbackRefused, stale=CallbackReplayed)
_DONE = {
    EventKind.SUSPENSION: ServiceStatus.SUSPENDED,
    EventKind.REINSTATEMENT: ServiceStatus.REINSTATED,
}


def verify(
    *, body: bytes, timestamp: str | None, signature: str | None, settings: OssSettings
) -> CallbackBody:
    """The callback's content, once its signature and timestamp are accepted."""
    return _CHECK.verified(
        body, timestamp, signature, settings.callback_secret, settings.callback_window_seconds
    )


async def accept(
    *, body: bytes, timestamp: str | None, signature: str | None, settings: OssSettings
) -> CallbackAccepted:
    """Settle the event the callback names: acknowledged (done) or failed (refused)."""
    data = verify(body=body, timestamp=timestamp, signature=signature, settings=settings)
    # OSS may answer before our own record of its receipt is written: a lost race is retried
    return await db.retry_conflicts(lambda: _accept(data))


async def _accept(data: CallbackBody) -> CallbackAccepted:
    async with db.transaction() as txn:
        event = await repository.event_by_key(data.idempotency_key, session=txn)
        if event is None:
            raise EventNotFound(f"no event {data.idempotency_key}")
        await repository.remember_callback(
            OssCallback(id=data.nonce, idempotency_key=data.idempotency_key), session=txn
        )
        settled = await _settle(event, data, txn)
        await audit.record(
            actor=None,
            action=f"oss.{event.kind.value}_{data.result}",
            entity_type="account",
            entity_id=event.account_id,
            after={"event_id": str(event.id), "nonce": data.nonce, "detail": data.detail},
            session=txn,
        )
    return settled


async def _settle(
    event: OssEvent, data: CallbackBody, session: AsyncClientSession
) -> CallbackAccepted:
    """The event acknowledged or failed; a done event moves the account's service on."""
    now, done = clock.now(), data.result == "done"
    status = EventStatus.ACKNOWLEDGED if done else EventStatus.FAILED
    fields: dict[str, Any] = {"status": status, "next_attempt_at": None}
    fields["acknowledged_at" if done else "failed_at"] = now
    await repository.acknowledge(event, fields, session=session)
    state = await service.state_for(event.account_id, session=session)
    if done and state.last_event_id == str(event.id):
        state.status, state.updated_at = _DONE[event.kind], now
        await repository.save_state(state, session=session)
        await cure.on_service_changed(state=state, session=session)
    return CallbackAccepted(
        event_id=str(event.id),
        idempotency_key=event.idempotency_key,
        event_status=status,
        service_status=state.status,
    )
