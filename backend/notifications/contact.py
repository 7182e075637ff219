"""Customer contact as operators run it: message templates, the contact policy, opt-outs,
messages sent by hand, and the delivery log."""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.audit.service import Actor
from backend.cases import service as cases
from backend.cases.errors import CaseClosed, NotCaseHolder
from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.core import clock, db
from backend.core.errors import Forbidden
from backend.core.pagination import Page, object_id_cursor
from backend.core.settings import get_settings
from backend.customers import privacy
from backend.customers import service as customers
from backend.customers.errors import CustomerNotFound
from backend.customers.models import Language
from backend.notifications import policy, repository, templates
from backend.notifications.delivery import default_policy
from backend.notifications.errors import DeliveryNotFound, OptOutNotFound, SubjectRequired
from backend.notifications.models import (
    Audience,
    Channel,
    ContactPolicy,
    Delivery,
    DeliveryStatus,
    MessageTemplate,
    OptOut,
    QuietHours,
    TemplateKey,
)
from backend.notifications.schemas import (
    ContactPolicyRead,
    ContactPolicyUpdate,
    CustomerMessageCreate,
    DeliveryRead,
    OptOutCreate,
    OptOutRead,
    TemplateRead,
    TemplateUpdate,
)
from backend.notifications.service import dispatch, message_customer
from backend.users.models import Role, User


def _require_operator(actor: User) -> None:
    if not actor.is_operator:
        raise Forbidden("Only operator staff manage customer contact")


# --------------------------------------------------------------------------- templates


async def list_templates(*, actor: User) -> list[TemplateRead]:
    """Every key, channel and language: the operator's wording where stored, else built in."""
    _require_operator(actor)
    stored = {t.id: t for t in await repository.templates()}
    return [
        _template_read(key, channel, language, stored.get(f"{key}|{channel}|{language}"))
        for key in TemplateKey
        for channel in (Channel.SMS, Channel.EMAIL)
        for language in Language
    ]


def _template_read(
    key: TemplateKey, channel: Channel, language: Language, stored: MessageTemplate | None
) -> TemplateRead:
    wording = stored or templates.built_in(key, channel, language)
    return TemplateRead(
        key=key,
        channel=channel,
        language=language,
        subject=wording.subject,
        body=wording.body,
        built_in=stored is None,
        updated_by=stored.updated_by if stored else None,
        updated_at=stored.updated_at if stored else None,
    )


async def set_template(
    *, actor: User, key: TemplateKey, channel: Channel, language: Language, data: TemplateUpdate
) -> TemplateRead:
    """Store the operator's wording for one key, channel and language."""
    _require_operator(actor)
    _check_wording(channel, data)
    stored = await repository.save_template(
        MessageTemplate(
            id=f"{key}|{channel}|{language}",
            key=key,
            channel=channel,
            language=language,
            subject=data.subject,
            body=data.body,
            updated_by=actor.id,
        )
    )
    return _template_read(key, channel, language, stored)


def _check_wording(channel: Channel, data: TemplateUpdate) -> None:
    if channel is Channel.PUSH or (channel is Channel.EMAIL) != (data.subject is not None):
        raise SubjectRequired.on("subject", "Email templates take a subject; SMS templates do not")
    for field, text in (("subject", data.subject), ("body", data.body)):
        if text is not None:
            templates.check(text, field=field)


def preview_template(*, actor: User, channel: Channel, data: TemplateUpdate) -> templates.Wording:
    """The wording as a customer would read it, filled with sample values; checked as
    `set_template` checks it, and stored nowhere."""
    _require_operator(actor)
    _check_wording(channel, data)
    subject = templates.render(data.subject, templates.SAMPLE) if data.subject else None
    return templates.Wording(subject=subject, body=templates.render(data.body, templates.SAMPLE))


async def reset_template(
    *, actor: User, key: TemplateKey, channel: Channel, language: Language
) -> TemplateRead:
    """Go back to the built-in wording."""
    _require_operator(actor)
    await repository.delete_template(f"{key}|{channel}|{language}")
    return _template_read(key, channel, language, None)


# --------------------------------------------------------------------------- policy


def _policy_read(rules: ContactPolicy, stored: bool) -> ContactPolicyRead:
    return ContactPolicyRead(
        quiet_hours=rules.quiet_hours.model_dump(),
        sms_cap=rules.caps.get(Channel.SMS.value, 0),
        email_cap=rules.caps.get(Channel.EMAIL.value, 0),
        cap_window_hours=rules.cap_window_hours,
        updated_by=rules.updated_by if stored else None,
        updated_at=rules.updated_at if stored else None,
    )


async def get_contact_policy(*, actor: User) -> ContactPolicyRead:
    _require_operator(actor)
    stored = await repository.contact_policy()
    return _policy_read(stored or default_policy(get_settings().notifications), stored is not None)


async def set_contact_policy(*, actor: User, data: ContactPolicyUpdate) -> ContactPolicyRead:
    """Replace the policy every customer message is checked against before it is sent."""
    _require_operator(actor)
    quiet = QuietHours(**data.quiet_hours.model_dump())
    policy.require_window(quiet)
    rules = ContactPolicy(
        quiet_hours=quiet,
        caps={Channel.SMS.value: data.sms_cap, Channel.EMAIL.value: data.email_cap},
        cap_window_hours=data.cap_window_hours,
        updated_by=actor.id,
    )
    return _policy_read(await repository.save_contact_policy(rules), True)


# --------------------------------------------------------------------------- opt-outs


async def _require_customer(customer_id: str) -> None:
    if await customers.get_unscoped(customer_id) is None:
        raise CustomerNotFound(f"No customer {customer_id}")


async def list_opt_outs(*, actor: User, customer_id: str) -> list[OptOutRead]:
    _require_operator(actor)
    return [
        OptOutRead.model_validate(o.model_dump()) for o in await repository.opt_outs_of(customer_id)
    ]


async def opt_out(
    *, actor: User, customer_id: str, channel: Channel, data: OptOutCreate
) -> OptOutRead:
    """Record that the customer does not want messages on this channel."""
    _require_operator(actor)
    await _require_customer(customer_id)
    stored = await record_opt_out(
        actor=actor, customer_id=customer_id, channel=channel, reason=data.reason
    )
    return OptOutRead.model_validate(stored.model_dump())


async def record_opt_out(
    *,
    actor: Actor | None,
    customer_id: str,
    channel: Channel,
    reason: str | None,
    session: AsyncClientSession | None = None,
) -> OptOut:
    """Store the opt-out with its audit record: staff on the customer's word, or the
    customer's own "STOP" reply (no actor)."""
    async with db.transaction(session) as s:
        stored = await repository.save_opt_out(
            OptOut(
                id=f"{customer_id}|{channel.value}",
                customer_id=customer_id,
                channel=channel,
                reason=reason,
                recorded_by=actor.id if actor else None,
            ),
            session=s,
        )
        await audit.record(
            actor=actor,
            action="customer.opt_out",
            entity_type="customer",
            entity_id=customer_id,
            after={"channel": channel.value, "reason": reason},
            session=s,
        )
    return stored


async def opt_in(*, actor: User, customer_id: str, channel: Channel) -> None:
    _require_operator(actor)
    if not await repository.delete_opt_out(customer_id, channel):
        raise OptOutNotFound(f"Customer {customer_id} has not opted out of {channel}")


# --------------------------------------------------------------------------- messages, log


async def send_message(
    *, actor: User, case: Case, data: CustomerMessageCreate
) -> list[DeliveryRead]:
    """Queue a templated message to the case's customer (its manager or holding officer)."""
    if not (cases.can_manage(actor, case) or case.ro_id == actor.id):
        raise NotCaseHolder("Only the case's officer, its supervisor or operator staff")
    if case.phase is Phase.CLOSED:
        raise CaseClosed(f"Case {case.id} is closed")
    pending = await message_customer(
        actor=actor,
        case=case,
        key=data.template,
        amount=data.amount,
        due_date=data.due_date or clock.now().date(),
        channels=[c.channel for c in dict.fromkeys(data.channels)],
    )
    await dispatch(pending)
    return [await get_delivery(actor=actor, delivery_id=i) for i in pending.delivery_ids]


def _scope(actor: User) -> dict[str, Any]:
    """Operators see every delivery; supervisors their DRC's customer messages."""
    if actor.is_operator:
        return {}
    if actor.role is Role.DRC_SUPERVISOR:
        return {"drc_id": actor.drc_id, "audience": "customer"}
    return {"created_by": actor.id, "audience": "customer"}


def delivery_read(delivery: Delivery) -> DeliveryRead:
    return DeliveryRead.model_validate({**delivery.model_dump(), "id": str(delivery.id)})


async def get_delivery(*, actor: User, delivery_id: str) -> DeliveryRead:
    found = await repository.delivery(delivery_id)
    scope = _scope(actor)
    if found is None or any(getattr(found, k) != v for k, v in scope.items()):
        raise DeliveryNotFound(f"No delivery {delivery_id}")
    await _audit_shown(actor, [found], via="delivery")
    return delivery_read(found)


async def _audit_shown(actor: User, deliveries: list[Delivery], *, via: str) -> None:
    """Deliveries to customers show where they went: a read of the customers' data."""
    shown = [d.customer_id for d in deliveries if d.to and d.audience is Audience.CUSTOMER]
    await privacy.record_pii_reads(actor=actor, customer_ids=shown, via=via)


async def list_deliveries(
    *,
    actor: User,
    case_id: str | None,
    customer_id: str | None,
    channel: Channel | None,
    status: DeliveryStatus | None,
    cursor: str | None,
    limit: int,
) -> Page[DeliveryRead]:
    """The delivery log, newest first: every send, block, deferral and failure."""
    filters: dict[str, Any] = {}
    for name, value in (
        ("case_id", case_id),
        ("customer_id", customer_id),
        ("channel", channel),
        ("status", status),
    ):
        if value is not None:
            filters[name] = getattr(value, "value", value)
    filters.update(_scope(actor))
    rows = await repository.delivery_page(filters, after=object_id_cursor(cursor), limit=limit + 1)
    await _audit_shown(actor, rows[:limit], via="deliveries")
    items = [delivery_read(d) for d in rows[:limit]]
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)
