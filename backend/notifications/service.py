"""What other domains call to tell people something, inside their own transaction.

Each trigger stores the feed items and one delivery record per channel in the caller's
transaction (`session`), so a notification exists exactly when the change that caused
it committed. After the commit the caller passes the returned `Pending` to
`dispatch`, which enqueues the sending task; `notifications.relay` picks up anything
whose enqueue was lost, so `dispatch` may fail without losing a message.

The Firestore mirror of the feed hooks in where feed items are stored
(`_store_feed`): the same documents, keyed by their id, under the user's path.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit.service import Actor
from backend.cases import service as cases
from backend.cases.models import Case
from backend.core import db, pii
from backend.core.ids import object_ids
from backend.core.logging import get_logger
from backend.core.money import Money
from backend.core.settings import get_settings
from backend.customers import service as customers
from backend.customers.models import ContactKind, Customer, Language
from backend.notifications import repository, templates
from backend.notifications.errors import BroadcastForbidden, NoContact
from backend.notifications.models import (
    CUSTOMER_CHANNELS,
    Audience,
    Channel,
    Delivery,
    DeliveryEvent,
    DeliveryStatus,
    Notification,
    NotificationKind,
    Preferences,
    TemplateKey,
)
from backend.users import service as users
from backend.users.models import Role, User
from backend.worker.dispatch import enqueue

log = get_logger("debtx.notifications")

DELIVER_TASK = "notifications.deliver"
DISPATCH_CHUNK = 100


@dataclass
class Pending:
    """The deliveries a trigger stored, pending their sending: hand it to `dispatch` once
    the transaction has committed."""

    delivery_ids: list[str] = field(default_factory=list)

    def __add__(self, other: Pending) -> Pending:
        return Pending(self.delivery_ids + other.delivery_ids)


async def dispatch(pending: Pending) -> None:
    """Enqueue the sending of committed deliveries; the relay retries a lost enqueue."""
    ids = pending.delivery_ids
    for start in range(0, len(ids), DISPATCH_CHUNK):
        try:
            await enqueue(DELIVER_TASK, delivery_ids=ids[start : start + DISPATCH_CHUNK])
        except Exception as exc:  # committed already; the relay will find them
            log.error("notifications.dispatch_failed", deliveries=len(ids), error=str(exc))
            return


def _uid(actor: Actor | None) -> str | None:
    return actor.id if actor is not None else None


async def notify(
    *,
    actor: Actor | None,
    kind: NotificationKind,
    user_ids: Iterable[str | None],
    case_id: str | None = None,
    params: dict[str, str] | None = None,
    route: str | None = None,
    dedupe_key: str | None = None,
    session: AsyncClientSession | None = None,
) -> Pending:
    """Tell staff users something: a feed item each, and a delivery per channel they chose.

    With `dedupe_key`, a user who already got a notification under that key gets none.
    """
    recipients = list(dict.fromkeys(u for u in user_ids if u))
    title, body = templates.staff_text(kind, params or {})
    route = route or (f"/cases/{case_id}" if case_id else "/notifications")
    async with db.transaction(session) as s:
        if dedupe_key is not None:
            recipients = await _not_told(recipients, dedupe_key, session=s)
        items = [
            Notification(
                id=ObjectId(),
                user_id=user_id,
                kind=kind,
                title=title,
                body=body,
                case_id=case_id,
                route=route,
                data=_push_data(kind, case_id, route),
                dedupe_key=f"{dedupe_key}|{user_id}" if dedupe_key else None,
            )
            for user_id in recipients
        ]
        await _store_feed(items, session=s)
        chosen = await repository.preferences_of(recipients, session=s)
        deliveries = await _staff_deliveries(items, chosen, actor)
        await repository.insert_deliveries(deliveries, session=s)
    return Pending([str(d.id) for d in deliveries])


async def _not_told(
    recipients: list[str], dedupe_key: str, *, session: AsyncClientSession
) -> list[str]:
    """The recipients who got nothing under `dedupe_key` yet."""
    keys = [f"{dedupe_key}|{u}" for u in recipients]
    sent = await repository.existing_keys(Notification, keys, session=session)
    return [u for u, k in zip(recipients, keys, strict=True) if k not in sent]


def _push_data(kind: NotificationKind, case_id: str | None, route: str) -> dict[str, str]:
    """FCM data values are strings; the app opens `route` when the user taps."""
    data = {"kind": kind.value, "route": route}
    if case_id:
        data["case_id"] = case_id
    return data


async def _store_feed(items: list[Notification], *, session: AsyncClientSession) -> None:
    await repository.insert_notifications(items, session=session)


async def _staff_deliveries(
    items: list[Notification], chosen: dict[str, Preferences], actor: Actor | None
) -> list[Delivery]:
    deliveries = []
    for item in items:
        wants = chosen.get(item.user_id) or Preferences(id=item.user_id)
        for channel in Channel:
            if wants.wants(channel):
                deliveries.append(await _staff_delivery(item, channel, actor))
    return [d for d in deliveries if d is not None]


async def _staff_delivery(
    item: Notification, channel: Channel, actor: Actor | None
) -> Delivery | None:
    to = None
    if channel is not Channel.PUSH:
        user = await users.by_uid(item.user_id)
        to = (user.phone if channel is Channel.SMS else user.email) if user else None
        if to is None:
            return None
    return Delivery(
        id=ObjectId(),
        channel=channel,
        audience=Audience.STAFF,
        kind=item.kind.value,
        user_id=item.user_id,
        case_id=item.case_id,
        notification_id=str(item.id),
        title=item.title,
        body=item.body,
        data={**item.data, "notification_id": str(item.id)},
        collapse_key=item.kind.value,
        to=to,
        created_by=_uid(actor),
    )


# --------------------------------------------------------------------------- triggers


def _case_params(case: Case) -> dict[str, str]:
    return {"customer": case.customer_name, "account": case.account_id}


async def case_changed_hands(
    *, actor: Actor | None, case: Case, previous_ro_id: str | None, session: AsyncClientSession
) -> Pending:
    """The officer who lost the case and the one who got it (either may be none)."""
    pending = Pending()
    if previous_ro_id and previous_ro_id != case.ro_id:
        pending += await notify(
            actor=actor,
            kind=NotificationKind.CASE_TAKEN_AWAY,
            user_ids=[previous_ro_id],
            case_id=str(case.id),
            params=_case_params(case),
            route="/cases",  # the case itself is out of their reach now
            session=session,
        )
    if case.ro_id and case.ro_id != previous_ro_id:
        pending += await notify(
            actor=actor,
            kind=NotificationKind.CASE_ASSIGNED,
            user_ids=[case.ro_id],
            case_id=str(case.id),
            params=_case_params(case),
            session=session,
        )
    return pending


async def request_decided(
    *,
    actor: Actor | None,
    case: Case,
    requested_by: str,
    request_type: str,
    approved: bool,
    note: str | None,
    session: AsyncClientSession,
) -> Pending:
    """Whoever raised the request hears the decision."""
    kind = NotificationKind.REQUEST_APPROVED if approved else NotificationKind.REQUEST_REJECTED
    params = {**_case_params(case), "request": request_type.replace("_", " "), "note": note or ""}
    return await notify(
        actor=actor,
        kind=kind,
        user_ids=[requested_by],
        case_id=str(case.id),
        params=params,
        session=session,
    )


async def instalment_missed(
    *, case_id: str, number: int, amount: Money, due_date: date, session: AsyncClientSession
) -> Pending:
    """The case's officer hears of it and the customer is reminded (policy permitting)."""
    case = await cases.get_unscoped(case_id, session=session)
    if case is None:
        return Pending()
    key = f"instalment_missed|{case_id}|{number}|{due_date.isoformat()}"
    params = {
        **_case_params(case),
        "number": str(number),
        "amount": str(amount),
        "due_date": due_date.isoformat(),
    }
    pending = await notify(
        actor=None,
        kind=NotificationKind.INSTALMENT_MISSED,
        user_ids=[case.ro_id],
        case_id=case_id,
        params=params,
        dedupe_key=key,
        session=session,
    )
    return pending + await message_customer(
        actor=None,
        case=case,
        key=TemplateKey.INSTALMENT_MISSED,
        amount=amount,
        due_date=due_date,
        dedupe_key=key,
        session=session,
    )


class MutationOutcome(StrEnum):
    REJECTED = "rejected"
    IN_REVIEW = "in_review"


async def notify_mutation_outcome(
    *,
    officer_id: str,
    case_id: str | None,
    mutation_id: str,
    outcome: MutationOutcome,
    reason: str,
    session: AsyncClientSession | None = None,
) -> Pending:
    """For the sync engine: a mutation the officer pushed was rejected or sent to review."""
    kind = (
        NotificationKind.MUTATION_REJECTED
        if outcome is MutationOutcome.REJECTED
        else NotificationKind.MUTATION_IN_REVIEW
    )
    return await notify(
        actor=None,
        kind=kind,
        user_ids=[officer_id],
        case_id=case_id,
        params={"mutation_id": mutation_id, "reason": reason},
        route=f"/outbox/{mutation_id}",
        dedupe_key=f"mutation|{mutation_id}|{outcome.value}",
        session=session,
    )


# --------------------------------------------------------------------------- customers


def contact_of(customer: Customer, channel: Channel) -> str | None:
    """The primary mobile number or email address (verified ones before others)."""
    kind = ContactKind.MOBILE if channel is Channel.SMS else ContactKind.EMAIL
    found = [c for c in customer.contacts if c.kind is kind]
    found.sort(key=lambda c: (not c.primary, not c.verified))
    return found[0].value if found else None


def _variables(customer: Customer, account_id: str, amount: Money, due: date | None):
    config = get_settings().notifications
    return {
        "name": customer.name,
        "amount": str(amount),
        "due_date": due.isoformat() if due else "",
        "reference": account_id,
        "link": f"{config.payment_link_base}{account_id}",
    }


async def wording(key: TemplateKey, channel: Channel, language: Language) -> templates.Wording:
    """The operator's wording when they stored one, else the built-in one."""
    stored = await repository.template(f"{key.value}|{channel.value}|{language.value}")
    if stored is not None:
        return templates.Wording(subject=stored.subject, body=stored.body)
    return templates.built_in(key, channel, language)


async def message_customer(
    *,
    actor: Actor | None,
    case: Case,
    key: TemplateKey,
    amount: Money | None = None,
    due_date: date | None = None,
    channels: list[Channel] | None = None,
    dedupe_key: str | None = None,
    session: AsyncClientSession | None = None,
) -> Pending:
    """Queue a message to the case's customer on each channel asked (default: every
    channel they have a contact for). The contact policy is applied when it is sent."""
    customer = await customers.get_unscoped(case.customer_id, session=session)
    if customer is None:
        return Pending()
    if channels is None:
        channels = [c for c in CUSTOMER_CHANNELS if contact_of(customer, c)]
    for channel in channels:
        if contact_of(customer, channel) is None:
            raise NoContact(f"Customer {customer.id} has no {channel} contact", channel=channel)
    variables = _variables(customer, case.account_id, amount or case.outstanding, due_date)
    deliveries = [
        await _customer_delivery(actor, customer, key, channel, variables, dedupe_key, case)
        for channel in channels
    ]
    return await _store_new(deliveries, session)


async def message_account(
    *,
    account_id: str,
    customer_id: str,
    key: TemplateKey,
    amount: Money,
    due_date: date | None,
    channels: list[Channel],
    dedupe_key: str,
    session: AsyncClientSession | None = None,
) -> Pending:
    """Queue a message about an account not (yet) on a case, on each channel asked that
    the customer has a contact for; the contact policy is applied when it is sent."""
    customer = await customers.get_unscoped(customer_id, session=session)
    if customer is None:
        return Pending()
    variables = _variables(customer, account_id, amount, due_date)
    deliveries = [
        await _customer_delivery(None, customer, key, channel, variables, dedupe_key)
        for channel in channels
        if contact_of(customer, channel) is not None
    ]
    return await _store_new(deliveries, session)


async def _store_new(deliveries: list[Delivery], session: AsyncClientSession | None) -> Pending:
    """Store the deliveries whose dedupe key has not been used before."""
    async with db.transaction(session) as s:
        keys = [d.dedupe_key for d in deliveries if d.dedupe_key]
        if keys:
            sent = await repository.existing_keys(Delivery, keys, session=s)
            deliveries = [d for d in deliveries if d.dedupe_key not in sent]
        await repository.insert_deliveries(deliveries, session=s)
    return Pending([str(d.id) for d in deliveries])


async def _customer_delivery(
    actor: Actor | None,
    customer: Customer,
    key: TemplateKey,
    channel: Channel,
    variables: dict[str, str],
    dedupe_key: str | None,
    case: Case | None = None,
) -> Delivery:
    text = await wording(key, channel, customer.language)
    return Delivery(
        id=ObjectId(),
        channel=channel,
        audience=Audience.CUSTOMER,
        kind=key.value,
        customer_id=customer.id,
        case_id=str(case.id) if case else None,
        drc_id=case.drc_id if case else None,
        title=templates.render(text.subject, variables) if text.subject else None,
        body=templates.render(text.body, variables),
        language=customer.language,
        dedupe_key=f"{dedupe_key}|{channel.value}" if dedupe_key else None,
        created_by=_uid(actor),
        events=[DeliveryEvent(status=DeliveryStatus.PENDING, detail="queued")],
    )


# --------------------------------------------------------------------------- receipts

FAILED_RECEIPTS = frozenset({"failed", "undelivered", "rejected", "expired"})


async def record_receipt(
    *, channel: Channel, provider_id: str, status: str, error_code: str | None = None
) -> Delivery | None:
    """The provider's delivery report for a message it accepted: kept on the delivery, and a
    report of failure turns the sent delivery into a failed one. None when no delivery has
    that provider id."""
    found = await repository.delivery_by_provider_id(channel, provider_id)
    if found is None:
        return None
    report = status.lower()
    detail = f"receipt {report}" + (f" ({error_code})" if error_code else "")
    fields: dict[str, object] = {"receipt": report}
    new_status = found.status
    if report in FAILED_RECEIPTS and found.status is DeliveryStatus.SENT:
        new_status = DeliveryStatus.FAILED
        fields.update(status=new_status, reason="undelivered")
    await repository.record_receipt(found, fields, DeliveryEvent(status=new_status, detail=detail))
    log.info("notifications.receipt", delivery_id=str(found.id), receipt=report)
    return await repository.delivery(str(found.id))


# --------------------------------------------------------------------------- broadcasts


def drc_topic(drc_id: str) -> str:
    """The FCM topic every device of a DRC's staff subscribes to."""
    return f"drc-{drc_id}"


async def broadcast(*, actor: User, drc_id: str, title: str, body: str) -> Pending:
    """One push to the DRC's topic, and a feed item for each of its active staff."""
    if not (actor.is_operator or (actor.role is Role.DRC_SUPERVISOR and actor.drc_id == drc_id)):
        raise BroadcastForbidden(f"You may not broadcast to {drc_id}")
    staff = [u.id for u in await users.officers_of(drc_id) + await users.supervisors_of(drc_id)]
    route = "/notifications"
    data = _push_data(NotificationKind.BROADCAST, None, route)
    async with db.transaction() as session:
        items = [
            Notification(
                user_id=user_id,
                kind=NotificationKind.BROADCAST,
                title=title,
                body=body,
                route=route,
                data=data,
            )
            for user_id in staff
        ]
        await _store_feed(items, session=session)
        delivery = Delivery(
            id=ObjectId(),
            channel=Channel.PUSH,
            audience=Audience.STAFF,
            kind=NotificationKind.BROADCAST.value,
            drc_id=drc_id,
            topic=drc_topic(drc_id),
            title=title,
            body=body,
            data=data,
            collapse_key=NotificationKind.BROADCAST.value,
            created_by=actor.id,
        )
        await repository.insert_deliveries([delivery], session=session)
    pending = Pending([str(delivery.id)])
    await dispatch(pending)
    return pending


async def reseal_pii() -> pii.Resealed:
    """Seal every delivery's recipient (a phone number or address) under the current key."""
    return await repository.reseal()


# Retention: the delivery log is kept for a while, then pruned; a minimised customer's
# messages lose their addresses and words.


async def finished_deliveries_before(
    cutoff: datetime, *, after: str | None, limit: int
) -> list[str]:
    """Ids of deliveries sent, blocked, skipped or failed before `cutoff`, by id."""
    start = None if after is None else ObjectId(after)
    return [str(oid) for oid in await repository.finished_before(cutoff, after=start, limit=limit)]


async def delete_deliveries(ids: list[str]) -> int:
    """Delete these finished deliveries; how many were deleted."""
    return await repository.delete_deliveries(object_ids(ids))


async def minimise_customer(customer_id: str, *, session: AsyncClientSession) -> int:
    """Blank the addresses and texts of the messages sent to the customer."""
    return await repository.minimise_customer(customer_id, session=session)
