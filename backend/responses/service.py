"""Customer replies: matched to the customer and their accounts, read for intent, stored
once, and acted on (an opt-out, a worklist item, the ladder told)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from backend.core import db, pii
from backend.core.errors import Forbidden
from backend.core.logging import get_logger
from backend.core.pagination import Page, object_id_cursor
from backend.core.settings import get_settings
from backend.customers import privacy
from backend.customers import service as customers
from backend.customers.models import Customer, Language
from backend.dunning import service as dunning
from backend.dunning.errors import AccountNotInDunning
from backend.notifications import contact
from backend.notifications.models import Channel
from backend.notifications.policy import zone
from backend.responses import intent, repository
from backend.responses.errors import ResponseNotFound
from backend.responses.models import Intent, Response, ResponseChannel
from backend.responses.schemas import ResponseFilters, ResponseRead
from backend.users.models import User
from backend.worklist import service as worklist
from backend.worklist.models import WorkKind

log = get_logger("debtx.responses")

# What a customer reads after their STOP, in their language.
STOP_REPLIES = {
    Language.ENGLISH: "DebtX: you will get no more SMS from us. Call us to start again.",
    Language.SINHALA: "DebtX: ඔබට අපෙන් තවදුරටත් SMS පණිවිඩ නොලැබේ. නැවත ආරම්භ කිරීමට අපට අමතන්න.",
    Language.TAMIL: "DebtX: இனி எங்களிடமிருந்து SMS வராது. மீண்டும் தொடங்க எங்களை அழைக்கவும்.",
}


@dataclass(frozen=True)
class Incoming:
    """A message as a channel delivered it, before matching."""

    source_key: str
    channel: ResponseChannel
    sender: str
    text: str
    received_at: datetime
    to: str | None = None
    subject: str | None = None


@dataclass(frozen=True)
class Received:
    response: Response
    duplicate: bool
    opted_out: bool = False
    reply: str | None = None


async def receive(incoming: Incoming) -> Received:
    """Store a customer's message once (by its source key) with what follows from it."""
    stored = await repository.by_source(incoming.source_key)
    if stored is not None:
        return Received(stored, duplicate=True)
    customer, candidates = await _match(incoming)
    response = await _reading(incoming, customer, candidates)
    # the customer holding the number or address, or every one of several sharing it
    opting_out = candidates if response.intent is Intent.STOP else []
    try:
        async with db.transaction() as session:
            await _follow_up(response, session)
            await repository.insert(response, session=session)
            for customer_id in opting_out:
                await _opt_out(customer_id, response, session)
    except DuplicateKeyError:  # the same message, delivered twice at once
        return Received(await _stored(incoming.source_key), duplicate=True)
    log.info("responses.received", channel=response.channel.value, intent=response.intent.value)
    await hand_on(response)
    language = customer.language if customer else Language.ENGLISH
    reply = STOP_REPLIES[language] if opting_out else None
    return Received(response, duplicate=False, opted_out=bool(opting_out), reply=reply)


async def hand_on(response: Response) -> None:
    """The one place a matched reply leaves this domain: each of the customer's accounts
    on a dunning ladder hears of it. A promise with its day holds the ladder to that day,
    a dispute holds it for staff; a STOP (its opt-out recorded already, so that channel is
    held) and anything else count as an answer and restart the wait."""
    if response.customer_id is None:
        return
    for account_id in response.account_ids:
        try:
            await dunning.response_received(
                account_id=account_id,
                channel=response.channel.value,
                intent=response.intent.value,
                at=response.received_at,
                promised_on=response.promised_on,
            )
        except AccountNotInDunning:
            continue  # an account the ladder does not chase
        log.info("responses.handed_on", account_id=account_id, intent=response.intent.value)


async def _stored(source_key: str) -> Response:
    found = await repository.by_source(source_key)
    assert found is not None
    return found


async def _match(incoming: Incoming) -> tuple[Customer | None, list[str]]:
    """The one customer holding the sender's number or address; several: none, with the
    candidates kept for staff to choose."""
    if incoming.channel is ResponseChannel.SMS:
        ids = await customers.ids_with_mobile(incoming.sender)
    else:
        ids = await customers.ids_with_email(incoming.sender)
    if len(ids) != 1:
        return None, ids
    return await customers.get_unscoped(ids[0]), ids


async def _reading(
    incoming: Incoming, customer: Customer | None, candidates: list[str]
) -> Response:
    local_day = incoming.received_at.astimezone(zone(customer.time_zone if customer else None))
    reading = intent.classify(incoming.text, received_on=local_day.date())
    accounts = await customers.account_ids_of(customer.id) if customer else []
    return Response(
        id=ObjectId(),
        source_key=incoming.source_key,
        channel=incoming.channel,
        sender=incoming.sender,
        to=incoming.to,
        subject=incoming.subject,
        text=incoming.text,
        customer_id=customer.id if customer else None,
        account_ids=accounts,
        candidates=candidates if customer is None else [],
        intent=reading.intent,
        promised_on=reading.promised_on,
        received_at=incoming.received_at,
    )


async def _follow_up(response: Response, session: AsyncClientSession) -> None:
    """An unmatched reply, or a promise, becomes an item on the staff worklist."""
    received_on = response.received_at.date()
    if response.customer_id is None:
        kind, due = WorkKind.UNMATCHED_RESPONSE, received_on
        title = f"Reply from {pii.mask(response.sender)} matched no customer"
    elif response.intent is Intent.PROMISE:
        days = get_settings().responses.promise_follow_up_days
        kind = WorkKind.PROMISE_FOLLOW_UP
        due = (response.promised_on or received_on) + timedelta(days=days)
        title = f"Promise to pay by {response.promised_on or 'an unnamed day'}"
    else:
        return
    item = await worklist.open_item(
        kind=kind,
        title=title,
        due=due,
        customer_id=response.customer_id,
        account_id=response.account_ids[0] if response.account_ids else None,
        response_id=str(response.id),
        session=session,
    )
    response.work_item_id = str(item.id)


async def _opt_out(customer_id: str, response: Response, session: AsyncClientSession) -> None:
    channel = Channel.SMS if response.channel is ResponseChannel.SMS else Channel.EMAIL
    await contact.record_opt_out(
        actor=None,
        customer_id=customer_id,
        channel=channel,
        reason=f"the customer replied {response.text.strip()[:40]!r}",
        session=session,
    )


# --------------------------------------------------------------------------- reads


def read_of(response: Response) -> ResponseRead:
    return ResponseRead.model_validate(
        {**response.model_dump(), "id": str(response.id), "matched": response.matched}
    )


def _require_operator(actor: User) -> None:
    if not actor.is_operator:
        raise Forbidden("Only operator staff read customer responses")


async def list_responses(
    *, actor: User, filters: ResponseFilters, cursor: str | None, limit: int
) -> Page[ResponseRead]:
    """Replies newest first, filtered by channel, intent, customer or whether matched."""
    _require_operator(actor)
    query = db.equal_to(filters, exclude={"matched"})
    if filters.matched is not None and filters.customer_id is None:
        query["customer_id"] = {"$ne": None} if filters.matched else None
    rows = await repository.page(query, after=object_id_cursor(cursor), limit=limit + 1)
    items = [read_of(r) for r in rows[:limit]]
    await privacy.record_pii_reads(
        actor=actor, customer_ids=[r.customer_id for r in items], via="responses"
    )
    return Page(items=items, next_cursor=str(rows[limit - 1].id) if len(rows) > limit else None)


async def get_response(*, actor: User, response_id: str) -> ResponseRead:
    _require_operator(actor)
    found = await repository.get(response_id)
    if found is None:
        raise ResponseNotFound(f"No response {response_id}")
    await privacy.record_pii_reads(actor=actor, customer_ids=[found.customer_id], via="response")
    return read_of(found)


async def reseal_pii() -> pii.Resealed:
    """Seal every stored reply's sender under the current key."""
    return await repository.reseal()


async def minimise_customer(customer_id: str, *, session: AsyncClientSession) -> int:
    """Retention minimised the customer: their replies keep only channel, intent, times."""
    return await repository.minimise_customer(customer_id, session=session)
