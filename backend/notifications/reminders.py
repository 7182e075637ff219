"""Time-based notifications, run by Celery beat: daily reminders, hourly overdue checks,
and the relay that sends whatever is due in the delivery log.

Every reminder carries a dedupe key naming the item and the day (or the deadline), so a
run repeated, or overlapping another, tells nobody twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time, timedelta

from backend.cases import service as cases
from backend.cases.models import Case
from backend.cases.phases import Phase
from backend.core import clock
from backend.core.money import Money
from backend.core.settings import get_settings
from backend.mediation import service as mediation
from backend.negotiations import service as negotiations
from backend.negotiations.schemas import PromiseRead
from backend.notifications import repository
from backend.notifications.models import NotificationKind, TemplateKey
from backend.notifications.service import Pending, dispatch, message_customer, notify
from backend.users import service as users

SCAN_LIMIT = 5000
RELAY_LIMIT = 1000
# A delivery is left to the task its trigger enqueued for this long before the relay
# enqueues it again; a worker that claimed one and died is presumed dead after STALE.
RELAY_GRACE = timedelta(seconds=30)
STALE = timedelta(minutes=10)


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _params(case: Case) -> dict[str, str]:
    return {"customer": case.customer_name, "account": case.account_id}


def _at(moment: datetime | None) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else ""


async def _each(items: list, send: Callable[..., Awaitable[Pending]]) -> int:
    """Send one reminder per item (each in its own transaction); count those stored."""
    stored = 0
    for item in items:
        pending = await send(item)
        stored += bool(pending.delivery_ids)
        await dispatch(pending)
    return stored


# --------------------------------------------------------------------------- daily


async def send_daily_reminders(*, today: date | None = None) -> dict[str, int]:
    """Promises due today, follow-ups due today, hearings tomorrow."""
    today = today or clock.now().date()
    promises = await negotiations.promises_due(day=today, limit=SCAN_LIMIT)
    return {
        "promise_due": await promises_due(today, promises),
        # a promise sets the case's follow-up to its day: one reminder is enough
        "follow_up_due": await follow_ups_due(today, skip={p.case_id for p in promises}),
        "hearing_tomorrow": await hearings_tomorrow(today),
    }


async def promises_due(today: date, promises: list[PromiseRead]) -> int:
    """The officer holding the case, and the customer, hear of a promise due today."""
    held = {str(c.id): c for c in await cases.many_by_id([p.case_id for p in promises])}

    async def remind(promise: PromiseRead) -> Pending:
        case = held.get(promise.case_id)
        if case is None or case.phase is Phase.CLOSED:
            return Pending()
        key = f"promise_due|{promise.id}|{today.isoformat()}"
        owed: Money = promise.amount.minus(promise.paid)
        pending = await notify(
            actor=None,
            kind=NotificationKind.PROMISE_DUE,
            user_ids=[case.ro_id],
            case_id=promise.case_id,
            params={**_params(case), "amount": str(owed)},
            dedupe_key=key,
        )
        return pending + await message_customer(
            actor=None,
            case=case,
            key=TemplateKey.PROMISE_DUE,
            amount=owed,
            due_date=today,
            dedupe_key=key,
        )

    return await _each(promises, remind)


async def follow_ups_due(today: date, *, skip: set[str]) -> int:
    start, end = _midnight(today), _midnight(today + timedelta(days=1))
    due = await cases.follow_ups_due(until=end - timedelta(microseconds=1), limit=SCAN_LIMIT)

    async def remind(case: Case) -> Pending:
        return await notify(
            actor=None,
            kind=NotificationKind.FOLLOW_UP_DUE,
            user_ids=[case.ro_id],
            case_id=str(case.id),
            params={**_params(case), "at": _at(case.next_follow_up)},
            dedupe_key=f"follow_up_due|{case.id}|{today.isoformat()}",
        )

    today_only = [
        c for c in due if c.next_follow_up and c.next_follow_up >= start and str(c.id) not in skip
    ]
    return await _each(today_only, remind)


async def hearings_tomorrow(today: date) -> int:
    tomorrow = today + timedelta(days=1)
    hearings = dict(
        await mediation.hearings_between(
            start=_midnight(tomorrow), end=_midnight(tomorrow + timedelta(days=1)), limit=SCAN_LIMIT
        )
    )
    held = [c for c in await cases.many_by_id(list(hearings)) if c.phase is Phase.MEDIATION]

    async def remind(case: Case) -> Pending:
        return await notify(
            actor=None,
            kind=NotificationKind.HEARING_TOMORROW,
            user_ids=[case.ro_id],
            case_id=str(case.id),
            params={**_params(case), "at": _at(hearings[str(case.id)])},
            dedupe_key=f"hearing_tomorrow|{case.id}|{tomorrow.isoformat()}",
        )

    return await _each(held, remind)


# --------------------------------------------------------------------------- hourly


async def check_overdue(*, now: datetime | None = None) -> dict[str, int]:
    """Follow-ups now overdue (once a day each), validity periods about to end (once each)."""
    now = now or clock.now()
    return {
        "follow_up_overdue": await follow_ups_overdue(now),
        "validity_ending": await validity_ending(now),
    }


async def follow_ups_overdue(now: datetime) -> int:
    overdue = await cases.follow_ups_due(until=now, limit=SCAN_LIMIT)
    day = now.date().isoformat()

    async def remind(case: Case) -> Pending:
        return await notify(
            actor=None,
            kind=NotificationKind.FOLLOW_UP_OVERDUE,
            user_ids=[case.ro_id],
            case_id=str(case.id),
            params={**_params(case), "at": _at(case.next_follow_up)},
            dedupe_key=f"follow_up_overdue|{case.id}|{_at(case.next_follow_up)}|{day}",
        )

    return await _each(overdue, remind)


async def validity_ending(now: datetime) -> int:
    """The officer and the DRC's supervisors, once per validity end (an extension that
    moves the date earns a new warning when the new end draws near)."""
    days = get_settings().notifications.validity_warning_days
    ending = await cases.validity_ending(
        now=now, until=now + timedelta(days=days), limit=SCAN_LIMIT
    )
    supervisors: dict[str, list[str]] = {}

    async def remind(case: Case) -> Pending:
        assert case.drc_id is not None and case.validity_until is not None
        if case.drc_id not in supervisors:
            supervisors[case.drc_id] = [u.id for u in await users.supervisors_of(case.drc_id)]
        return await notify(
            actor=None,
            kind=NotificationKind.VALIDITY_ENDING,
            user_ids=[case.ro_id, *supervisors[case.drc_id]],
            case_id=str(case.id),
            params={**_params(case), "until": _at(case.validity_until)},
            dedupe_key=f"validity_ending|{case.id}|{case.validity_until.isoformat()}",
        )

    return await _each(ending, remind)


# --------------------------------------------------------------------------- relay


async def relay(*, now: datetime | None = None) -> int:
    """Enqueue deliveries that are due but that no task is sending: ones whose enqueue
    was lost, ones deferred past quiet hours, ones a dead worker left half-sent."""
    now = now or clock.now()
    ids = await repository.due_ids(
        now=now - RELAY_GRACE, stale_before=now - STALE, limit=RELAY_LIMIT
    )
    await dispatch(Pending(ids))
    return len(ids)
