"""Scheduled reports: who subscribes to what, and the mail sent once per period.

Operator staff manage every subscription (any DRC, or every DRC); a DRC supervisor keeps
their own, always for their DRC. `reports.send_scheduled` (beat, hourly) mails each
active subscription's report for the period that ended last, once: the period's send is
claimed by a unique (subscription, period) record before anything is sent.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from backend.performance.service import reach_of
from backend.reports import repository
from backend.reports import service as reports
from backend.reports.errors import SubscriptionInvalid, SubscriptionNotFound
from backend.reports.models import Frequency, ReportSend, ReportSubscription
from backend.reports.schemas import ReportFilters, SendRead, SubscriptionCreate, SubscriptionRead
from backend.users import service as users
from backend.users.models import User

SENDS_LISTED = 100


def read_of(found: ReportSubscription) -> SubscriptionRead:
    return SubscriptionRead(id=str(found.id), **found.model_dump(exclude={"id", "revision_id"}))


def send_read_of(found: ReportSend) -> SendRead:
    return SendRead(id=str(found.id), **found.model_dump(exclude={"id", "revision_id"}))


async def subscribe(*, actor: User, data: SubscriptionCreate) -> SubscriptionRead:
    """A subscription owned by the actor; a supervisor's is for their DRC only."""
    reports.report_of(actor, data.report)
    drc_id = data.drc_id
    if not actor.is_operator:
        if drc_id not in (None, actor.drc_id):
            raise SubscriptionInvalid.on("drc_id", "a supervisor subscribes for their own DRC")
        drc_id = actor.drc_id
    if drc_id is not None:
        await reach_of(actor=actor, drc_id=drc_id)
    found = ReportSubscription(
        report=data.report.value,
        format=data.format,
        frequency=data.frequency,
        recipients=sorted(set(data.recipients)),
        owner_id=actor.id,
        drc_id=drc_id,
    )
    return read_of(await repository.insert_subscription(found))


async def list_subscriptions(*, actor: User) -> list[SubscriptionRead]:
    """Active subscriptions: every one for operator staff, a supervisor's own."""
    reports.require_reader(actor)
    match: dict = {"active": True}
    if not actor.is_operator:
        match["owner_id"] = actor.id
    return [read_of(s) for s in await repository.subscriptions(match)]


async def _visible(actor: User, subscription_id: str) -> ReportSubscription:
    reports.require_reader(actor)
    found = await repository.subscription(subscription_id)
    if found is None or not found.active or not (actor.is_operator or found.owner_id == actor.id):
        raise SubscriptionNotFound(f"No report subscription {subscription_id}")
    return found


async def unsubscribe(*, actor: User, subscription_id: str) -> None:
    """Stop a subscription (its sends are kept)."""
    await _visible(actor, subscription_id)
    await repository.deactivate(subscription_id)


async def sends_of(*, actor: User, subscription_id: str) -> list[SendRead]:
    """A subscription's sends, newest first."""
    await _visible(actor, subscription_id)
    return [send_read_of(s) for s in await repository.sends_of(subscription_id, limit=SENDS_LISTED)]


def last_period(frequency: Frequency, now: datetime) -> tuple[str, date, date]:
    """The latest whole period before `now` (UTC): its key, first and last day."""
    today = now.date()
    if frequency is Frequency.DAILY:
        day = today - timedelta(days=1)
        return f"{day}", day, day
    if frequency is Frequency.WEEKLY:
        last = today - timedelta(days=today.weekday() + 1)  # the Sunday before this week
        first = last - timedelta(days=6)
        year, week, _ = first.isocalendar()
        return f"{year}-W{week:02d}", first, last
    last = today.replace(day=1) - timedelta(days=1)
    return f"{last:%Y-%m}", last.replace(day=1), last


async def owner_of(found: ReportSubscription) -> User | None:
    """The subscription's owner, while still active (a disabled owner's mail stops)."""
    owner = await users.by_uid(found.owner_id)
    return owner if owner is not None and owner.active else None


def filters_for(found: ReportSubscription, first: date, last: date) -> ReportFilters:
    return ReportFilters(from_day=first, to_day=last, drc_id=found.drc_id)
