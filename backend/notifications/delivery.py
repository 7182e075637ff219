"""Sending stored deliveries: claim, check the policy, send, record what happened.

Every attempt appends an event (time, status, detail) to the delivery, so the record is
the log: sent, blocked by the contact policy, deferred for quiet hours, skipped (nowhere
to send), retried after a transient failure, or failed for good.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from backend.core import clock
from backend.core.logging import get_logger
from backend.customers import service as customers
from backend.customers.models import Customer
from backend.notifications import policy, repository
from backend.notifications.fcm import FcmAnswer
from backend.notifications.gateways import SendAnswer
from backend.notifications.models import (
    Audience,
    Channel,
    ContactPolicy,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Device,
    DeviceResult,
    Preferences,
    QuietHours,
)
from backend.notifications.policy import Block, Reason
from backend.notifications.senders import Senders
from backend.notifications.service import contact_of

log = get_logger("debtx.notifications")


@dataclass
class Outcome:
    """What became of one delivery on this attempt."""

    status: DeliveryStatus
    detail: str | None = None
    reason: str | None = None
    until: datetime | None = None  # the next attempt, when retrying or deferred
    tried: bool = False  # a provider was asked
    to: str | None = None
    provider_id: str | None = None
    results: list[DeviceResult] | None = None


@dataclass
class Retry:
    """Deliveries to try again, and when the earliest of them is due."""

    delivery_ids: list[str] = field(default_factory=list)
    countdown: float = 0.0


def backoff(settings: Any, attempts: int) -> float:
    """Seconds before attempt `attempts + 1`: doubling from the base, capped."""
    base, cap = settings.retry_backoff_seconds, settings.retry_backoff_max_seconds
    return float(min(base * 2 ** max(attempts - 1, 0), cap))


async def deliver(
    delivery_ids: list[str], *, senders: Senders, now: datetime | None = None
) -> Retry:
    """Send the due deliveries among `delivery_ids`; others (sent, claimed) are left."""
    now = now or clock.now()
    claimed = await repository.claim(delivery_ids, now=now)
    if not claimed:
        return Retry()
    run = _Run(senders, now, users=[d.user_id for d in claimed if d.user_id])
    outcomes = await asyncio.gather(*(run.send(d) for d in claimed))
    pairs = list(zip(claimed, outcomes, strict=True))
    await repository.write_outcomes([_write(d, o, run) for d, o in pairs])
    await repository.prune(run.dead_tokens)
    for delivery, outcome in pairs:
        _log(delivery, outcome)
    return _retry(pairs, now)


class _Run:
    """One batch: shared lookups, the FCM concurrency limit, per-customer send counts."""

    def __init__(self, senders: Senders, now: datetime, *, users: list[str]) -> None:
        self.senders = senders
        self.settings = senders.settings
        self.now = now
        self.limit = asyncio.Semaphore(self.settings.fcm_concurrency)
        self.dead_tokens: list[tuple[Any, str]] = []
        self._devices: dict[str, list[Device]] | None = None
        self._preferences: dict[str, Preferences] | None = None
        self._policy: ContactPolicy | None = None
        self._sent: dict[tuple[str, Channel], int] = {}
        self._customer_locks: dict[tuple[str, Channel], asyncio.Lock] = {}
        self._loading = asyncio.Lock()
        self._users = list(dict.fromkeys(users))

    async def send(self, delivery: Delivery) -> Outcome:
        try:
            if delivery.audience is Audience.CUSTOMER:
                return await self._to_customer(delivery)
            return await self._to_staff(delivery)
        except Exception as exc:  # one bad record must not stop the batch
            log.exception("notifications.delivery_error", delivery_id=str(delivery.id))
            return self._failure(delivery, f"error: {exc}", transient=True)

    # ------------------------------------------------------------------ staff

    async def _to_staff(self, delivery: Delivery) -> Outcome:
        if delivery.user_id is not None:
            wants = (await self.preferences()).get(delivery.user_id)
            block = (
                policy.quiet_block(self.now, wants.quiet_hours, wants.time_zone) if wants else None
            )
            if block is not None:
                return _deferred(block)
        if delivery.channel is Channel.PUSH:
            return await self._push(delivery)
        return await self._text(delivery, delivery.to)

    async def preferences(self) -> dict[str, Preferences]:
        async with self._loading:
            if self._preferences is None:
                self._preferences = await repository.preferences_of(self._users, session=None)
        return self._preferences

    async def devices(self) -> dict[str, list[Device]]:
        async with self._loading:
            if self._devices is None:
                self._devices = await repository.devices_of_users(self._users)
        return self._devices

    async def _push(self, delivery: Delivery) -> Outcome:
        fcm = self.senders.fcm
        if fcm is None:
            return _skipped(Reason.NOT_CONFIGURED, "push is not configured (FCM credentials)")
        if delivery.topic is not None:
            async with self.limit:
                answer = await fcm.send(fcm_message(delivery, topic=delivery.topic))
            return self._topic_outcome(delivery, answer)
        assert delivery.user_id is not None
        done = {r.device_id for r in delivery.results if not r.transient}
        targets = [
            d for d in (await self.devices()).get(delivery.user_id, []) if str(d.id) not in done
        ]
        if not targets and not done:
            return _skipped(Reason.NO_DEVICE, "the user has no registered device")
        answers = await asyncio.gather(*(self._push_device(delivery, d) for d in targets))
        return self._devices_outcome(delivery, targets, answers)

    async def _push_device(self, delivery: Delivery, device: Device) -> FcmAnswer:
        assert self.senders.fcm is not None
        async with self.limit:
            return await self.senders.fcm.send(fcm_message(delivery, token=device.token))

    def _topic_outcome(self, delivery: Delivery, answer: FcmAnswer) -> Outcome:
        if answer.ok:
            return Outcome(DeliveryStatus.SENT, detail=answer.name, tried=True, to=delivery.topic)
        return self._failure(delivery, f"FCM {answer.code}: {answer.message}", answer.transient)

    def _devices_outcome(
        self, delivery: Delivery, targets: list[Device], answers: list[FcmAnswer]
    ) -> Outcome:
        earlier = [r for r in delivery.results if not r.transient]
        results = earlier + [_device_result(d, a) for d, a in zip(targets, answers, strict=True)]
        self.dead_tokens += [
            (d.id, d.token) for d, a in zip(targets, answers, strict=True) if a.dead_token
        ]
        transient = [a for a in answers if _again(a)]
        accepted = sum(r.ok for r in results)
        detail = f"{accepted} of {len(results)} device(s) accepted"
        if transient:
            outcome = self._failure(delivery, f"{detail}; {transient[0].code}", True)
            wait = max((a.retry_after or 0.0) for a in transient)
            if outcome.until is not None and wait:
                outcome.until = max(outcome.until, self.now + timedelta(seconds=wait))
        elif accepted:
            outcome = Outcome(DeliveryStatus.SENT, detail=detail, tried=True)
        else:
            outcome = Outcome(DeliveryStatus.FAILED, detail=detail, reason="refused", tried=True)
        outcome.results = results
        return outcome

    # ------------------------------------------------------------------ customers

    async def _to_customer(self, delivery: Delivery) -> Outcome:
        assert delivery.customer_id is not None
        # one customer and channel at a time, so the frequency cap counts this batch too
        lock = self._customer_locks.setdefault(
            (delivery.customer_id, delivery.channel), asyncio.Lock()
        )
        async with lock:
            return await self._to_customer_now(delivery)

    async def _to_customer_now(self, delivery: Delivery) -> Outcome:
        assert delivery.customer_id is not None
        customer = await customers.get_unscoped(delivery.customer_id)
        if customer is None:
            return _skipped(Reason.NO_CONTACT, f"no customer {delivery.customer_id}")
        block = await self._customer_block(delivery, customer)
        if block is not None:
            return _deferred(block) if block.until else _blocked(block)
        outcome = await self._text(delivery, contact_of(customer, delivery.channel))
        if outcome.status is DeliveryStatus.SENT:
            self._sent[(customer.id, delivery.channel)] += 1
        return outcome

    async def contact_policy(self) -> ContactPolicy:
        async with self._loading:
            if self._policy is None:
                self._policy = await repository.contact_policy() or default_policy(self.settings)
        return self._policy

    async def _customer_block(self, delivery: Delivery, customer: Customer) -> Block | None:
        if customer.dispute is not None:
            return Block(Reason.DISPUTE_OPEN, f"dispute open since {customer.dispute.opened_at}")
        if await repository.opt_out(customer.id, delivery.channel) is not None:
            return Block(Reason.OPTED_OUT, f"the customer opted out of {delivery.channel}")
        rules = await self.contact_policy()
        key = (customer.id, delivery.channel)
        if key not in self._sent:
            since = self.now - timedelta(hours=rules.cap_window_hours)
            self._sent[key] = await repository.sent_count(
                customer.id, delivery.channel, since=since
            )
        cap = rules.caps.get(delivery.channel.value, 0)
        found = policy.cap_block(self._sent[key], cap, rules.cap_window_hours, delivery.channel)
        return found or policy.quiet_block(self.now, rules.quiet_hours, customer.time_zone)

    # ------------------------------------------------------------------ SMS and email

    async def _text(self, delivery: Delivery, to: str | None) -> Outcome:
        if to is None:
            return _skipped(Reason.NO_CONTACT, f"no {delivery.channel} contact")
        send = self._sender(delivery, to)
        if send is None:
            return _skipped(Reason.NOT_CONFIGURED, f"{delivery.channel} is not configured")
        answer = await send()
        if answer.ok:
            return Outcome(
                DeliveryStatus.SENT,
                detail="accepted",
                tried=True,
                to=to,
                provider_id=answer.provider_id,
            )
        outcome = self._failure(delivery, answer.detail or "refused", answer.transient)
        outcome.to = to
        return outcome

    def _sender(self, delivery: Delivery, to: str) -> Callable[[], Awaitable[SendAnswer]] | None:
        reference = str(delivery.id)
        if delivery.channel is Channel.SMS and self.senders.sms is not None:
            sms = self.senders.sms
            return lambda: sms.send(to=to, text=delivery.body, reference=reference)
        if delivery.channel is Channel.EMAIL and self.senders.smtp is not None:
            smtp = self.senders.smtp
            subject = delivery.title or "DebtX"
            return lambda: smtp.send(
                to=to, subject=subject, text=delivery.body, reference=reference
            )
        return None

    def _failure(self, delivery: Delivery, detail: str, transient: bool) -> Outcome:
        attempts = delivery.attempts + 1
        if not transient:
            return Outcome(DeliveryStatus.FAILED, detail=detail, reason="refused", tried=True)
        if attempts >= self.settings.max_attempts:
            return Outcome(
                DeliveryStatus.FAILED, detail=detail, reason="attempts_exhausted", tried=True
            )
        until = self.now + timedelta(seconds=backoff(self.settings, attempts))
        return Outcome(DeliveryStatus.RETRYING, detail=detail, until=until, tried=True)


def default_policy(settings: Any) -> ContactPolicy:
    """The contact policy from settings, until operators store their own."""
    return ContactPolicy(
        quiet_hours=QuietHours(start=settings.quiet_hours_start, end=settings.quiet_hours_end),
        caps={Channel.SMS.value: settings.sms_cap, Channel.EMAIL.value: settings.email_cap},
        cap_window_hours=settings.cap_window_hours,
    )


def fcm_message(
    delivery: Delivery, *, token: str | None = None, topic: str | None = None
) -> dict[str, Any]:
    """The HTTP v1 message: notification, string data, and collapse keys for both
    platforms so a burst of one kind shows as its latest (the feed keeps them all)."""
    collapse = delivery.collapse_key or delivery.kind
    message: dict[str, Any] = {
        "notification": {"title": delivery.title or "", "body": delivery.body},
        "data": dict(delivery.data),
        "android": {
            "collapse_key": collapse,
            "priority": "high",
            "notification": {"tag": collapse},
        },
        "apns": {"headers": {"apns-collapse-id": collapse}},
    }
    if token is not None:
        message["token"] = token
    if topic is not None:
        message["topic"] = topic
    return message


def _again(answer: FcmAnswer) -> bool:
    """The device should be tried again on the next attempt."""
    return not answer.ok and answer.transient and not answer.dead_token


def _device_result(device: Device, answer: FcmAnswer) -> DeviceResult:
    return DeviceResult(
        device_id=str(device.id),
        ok=answer.ok,
        pruned=answer.dead_token,
        transient=_again(answer),
        detail=answer.name if answer.ok else answer.code,
    )


def _skipped(reason: str, detail: str) -> Outcome:
    return Outcome(DeliveryStatus.SKIPPED, detail=detail, reason=reason)


def _blocked(block: Block) -> Outcome:
    return Outcome(DeliveryStatus.BLOCKED, detail=block.detail, reason=block.reason)


def _deferred(block: Block) -> Outcome:
    return Outcome(
        DeliveryStatus.DEFERRED, detail=block.detail, reason=block.reason, until=block.until
    )


def _write(delivery: Delivery, outcome: Outcome, run: _Run) -> Any:
    fields: dict[str, Any] = {
        "status": outcome.status,
        "reason": outcome.reason,
        "attempts": delivery.attempts + int(outcome.tried),
        "next_attempt_at": outcome.until or delivery.next_attempt_at,
    }
    if outcome.status is DeliveryStatus.SENT:
        fields["sent_at"] = run.now
    for name in ("to", "provider_id", "results"):
        if getattr(outcome, name) is not None:
            fields[name] = getattr(outcome, name)
    event = DeliveryEvent(at=run.now, status=outcome.status, detail=outcome.detail)
    return repository.outcome_write(delivery, fields, event)


def _log(delivery: Delivery, outcome: Outcome) -> None:
    log.info(
        f"notifications.{outcome.status.value}",
        delivery_id=str(delivery.id),
        channel=delivery.channel.value,
        kind=delivery.kind,
        reason=outcome.reason,
        detail=outcome.detail,
    )


def _retry(pairs: list[tuple[Delivery, Outcome]], now: datetime) -> Retry:
    waiting = [(d, o) for d, o in pairs if o.status is DeliveryStatus.RETRYING]
    if not waiting:
        return Retry()
    soonest = min(o.until or now for _, o in waiting)
    return Retry(
        delivery_ids=[str(d.id) for d, _ in waiting],
        countdown=max((soonest - now).total_seconds(), 0.0),
    )
