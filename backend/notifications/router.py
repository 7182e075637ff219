from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response, status

from backend.auth.deps import CurrentUser
from backend.cases.deps import CaseForCaller
from backend.core.pagination import Limit, ObjectIdCursor, Page
from backend.customers.models import Language
from backend.customers.schemas import REF_PATTERN
from backend.notifications import contact, service, staff
from backend.notifications.models import Channel, DeliveryStatus, TemplateKey
from backend.notifications.schemas import (
    BroadcastCreate,
    BroadcastRead,
    ContactPolicyRead,
    ContactPolicyUpdate,
    CustomerChannel,
    CustomerMessageCreate,
    DeliveryRead,
    DeviceRead,
    DeviceRegister,
    FeedCounts,
    MarkedRead,
    NotificationRead,
    OptOutCreate,
    OptOutRead,
    PreferencesRead,
    PreferencesUpdate,
    TemplatePreview,
    TemplateRead,
    TemplateUpdate,
)

router = APIRouter(tags=["notifications"])

NotificationId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Notification id")]
DeliveryId = Annotated[str, Path(pattern=r"^[0-9a-f]{24}$", description="Delivery id")]
DeviceId = Annotated[
    str,
    Path(pattern=r"^[A-Za-z0-9._:-]{1,128}$", description="The app's id for this installation"),
]
CustomerId = Annotated[str, Path(pattern=REF_PATTERN, description="CRM customer reference")]


# --------------------------------------------------------------------------- feed


@router.get("/notifications", summary="Your notifications")
async def list_notifications(
    actor: CurrentUser,
    unread: Annotated[bool, Query(description="Only unread ones")] = False,
    cursor: ObjectIdCursor = None,
    limit: Limit = 50,
) -> Page[NotificationRead]:
    """The caller's in-app feed, newest first."""
    return await staff.feed(actor=actor, unread=unread, cursor=cursor, limit=limit)


@router.get("/notifications/counts", summary="Your unread count")
async def notification_counts(actor: CurrentUser) -> FeedCounts:
    """For the badge."""
    return await staff.counts(actor=actor)


@router.post("/notifications/read", summary="Mark all your notifications read")
async def mark_all_read(actor: CurrentUser) -> MarkedRead:
    """Returns how many were unread."""
    return await staff.mark_all_read(actor=actor)


@router.post("/notifications/{notification_id}/read", summary="Mark one notification read")
async def mark_read(actor: CurrentUser, notification_id: NotificationId) -> NotificationRead:
    """404 unless it is in the caller's own feed."""
    return await staff.mark_read(actor=actor, notification_id=notification_id)


# --------------------------------------------------------------------------- devices, preferences


@router.get("/notifications/devices", summary="Your registered devices")
async def list_devices(actor: CurrentUser) -> list[DeviceRead]:
    """The caller's devices; tokens are never shown."""
    return await staff.list_devices(actor=actor)


@router.put("/notifications/devices/{device_id}", summary="Register or refresh a device")
async def register_device(
    actor: CurrentUser, device_id: DeviceId, body: DeviceRegister
) -> DeviceRead:
    """Send at sign-in and whenever FCM issues a new token; `topics` lists what to subscribe."""
    return await staff.register_device(actor=actor, device_id=device_id, data=body)


@router.delete(
    "/notifications/devices/{device_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Unregister a device",
)
async def unregister_device(actor: CurrentUser, device_id: DeviceId) -> Response:
    """At sign-out: the device gets no more pushes for this user."""
    await staff.unregister_device(actor=actor, device_id=device_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/notifications/preferences", summary="Your notification preferences")
async def get_preferences(actor: CurrentUser) -> PreferencesRead:
    """Defaults (push on, no quiet hours) until the caller sets their own."""
    return await staff.get_preferences(actor=actor)


@router.put("/notifications/preferences", summary="Set your notification preferences")
async def set_preferences(actor: CurrentUser, body: PreferencesUpdate) -> PreferencesRead:
    """Channels and quiet hours; sends falling in quiet hours wait until they end."""
    return await staff.set_preferences(actor=actor, data=body)


@router.post(
    "/notifications/broadcasts", status_code=status.HTTP_202_ACCEPTED, summary="Broadcast to a DRC"
)
async def broadcast(actor: CurrentUser, body: BroadcastCreate) -> BroadcastRead:
    """Operator staff to any DRC, supervisors to their own: one push to the DRC's topic."""
    pending = await service.broadcast(
        actor=actor, drc_id=body.drc_id, title=body.title, body=body.body
    )
    return BroadcastRead(
        drc_id=body.drc_id,
        topic=service.drc_topic(body.drc_id),
        delivery_id=pending.delivery_ids[0],
    )


# --------------------------------------------------------------------------- customer contact


@router.post(
    "/cases/{case_id}/customer-messages",
    status_code=status.HTTP_202_ACCEPTED,
    summary="Message the case's customer",
)
async def send_customer_message(
    case: CaseForCaller, actor: CurrentUser, body: CustomerMessageCreate
) -> list[DeliveryRead]:
    """Queued per channel; the contact policy (quiet hours, caps, opt-out, dispute) is
    applied when it is sent, and the delivery log says what happened."""
    return await contact.send_message(actor=actor, case=case, data=body)


@router.get("/notifications/deliveries", summary="The delivery log")
async def list_deliveries(
    actor: CurrentUser,
    case_id: Annotated[str | None, Query(pattern=r"^[0-9a-f]{24}$")] = None,
    customer_id: Annotated[str | None, Query(pattern=REF_PATTERN)] = None,
    channel: Channel | None = None,
    delivery_status: Annotated[DeliveryStatus | None, Query(alias="status")] = None,
    cursor: ObjectIdCursor = None,
    limit: Limit = 50,
) -> Page[DeliveryRead]:
    """Operators see all; supervisors their DRC's customer messages; others what they sent."""
    return await contact.list_deliveries(
        actor=actor,
        case_id=case_id,
        customer_id=customer_id,
        channel=channel,
        status=delivery_status,
        cursor=cursor,
        limit=limit,
    )


@router.get("/notifications/deliveries/{delivery_id}", summary="One delivery and its log")
async def get_delivery(actor: CurrentUser, delivery_id: DeliveryId) -> DeliveryRead:
    """404 when outside the caller's reach."""
    return await contact.get_delivery(actor=actor, delivery_id=delivery_id)


@router.get("/notifications/templates", summary="Customer message templates")
async def list_templates(actor: CurrentUser) -> list[TemplateRead]:
    """Operator staff: every template in English, Sinhala and Tamil."""
    return await contact.list_templates(actor=actor)


@router.put(
    "/notifications/templates/{key}/{channel}/{language}", summary="Reword a customer message"
)
async def set_template(
    actor: CurrentUser,
    key: TemplateKey,
    channel: CustomerChannel,
    language: Language,
    body: TemplateUpdate,
) -> TemplateRead:
    """Operator staff; placeholders are checked."""
    return await contact.set_template(
        actor=actor, key=key, channel=channel.channel, language=language, data=body
    )


@router.post(
    "/notifications/templates/{key}/{channel}/{language}/preview",
    summary="Preview a wording with sample values",
)
async def preview_template(
    actor: CurrentUser,
    key: TemplateKey,
    channel: CustomerChannel,
    language: Language,
    body: TemplateUpdate,
) -> TemplatePreview:
    """Operator staff; checked as a reword is, and stored nowhere."""
    shown = contact.preview_template(actor=actor, channel=channel.channel, data=body)
    return TemplatePreview(subject=shown.subject, body=shown.body)


@router.delete(
    "/notifications/templates/{key}/{channel}/{language}", summary="Back to the built-in wording"
)
async def reset_template(
    actor: CurrentUser, key: TemplateKey, channel: CustomerChannel, language: Language
) -> TemplateRead:
    """Operator staff."""
    return await contact.reset_template(
        actor=actor, key=key, channel=channel.channel, language=language
    )


@router.get("/notifications/contact-policy", summary="The customer contact policy")
async def get_contact_policy(actor: CurrentUser) -> ContactPolicyRead:
    """Operator staff."""
    return await contact.get_contact_policy(actor=actor)


@router.put("/notifications/contact-policy", summary="Set the customer contact policy")
async def set_contact_policy(actor: CurrentUser, body: ContactPolicyUpdate) -> ContactPolicyRead:
    """Operator staff: quiet hours and per-channel frequency caps."""
    return await contact.set_contact_policy(actor=actor, data=body)


@router.get("/customers/{customer_id}/opt-outs", summary="Channels the customer opted out of")
async def list_opt_outs(actor: CurrentUser, customer_id: CustomerId) -> list[OptOutRead]:
    """Operator staff."""
    return await contact.list_opt_outs(actor=actor, customer_id=customer_id)


@router.put("/customers/{customer_id}/opt-outs/{channel}", summary="Record an opt-out")
async def opt_out(
    actor: CurrentUser, customer_id: CustomerId, channel: CustomerChannel, body: OptOutCreate
) -> OptOutRead:
    """Operator staff: no message reaches the customer on this channel from now on."""
    return await contact.opt_out(
        actor=actor, customer_id=customer_id, channel=channel.channel, data=body
    )


@router.delete(
    "/customers/{customer_id}/opt-outs/{channel}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Withdraw an opt-out",
)
async def opt_in(actor: CurrentUser, customer_id: CustomerId, channel: CustomerChannel) -> Response:
    """Operator staff: the customer agreed to be contacted on this channel again."""
    await contact.opt_in(actor=actor, customer_id=customer_id, channel=channel.channel)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
