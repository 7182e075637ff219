"""A clock tests move forward, the local SMS gateway, SMTP and OSS servers, and the ladder
most tests walk: reminder, follow-up, final notice, suspension, hand-off."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from backend.core import clock
from backend.users.models import Role
from tests.backend.notifications.conftest import (  # noqa: F401  (fixtures)
    edges,
    fcm_server,
    notify_settings,
    senders,
    service_account,
    sms_server,
    smtp_server,
)
from tests.backend.oss.conftest import oss, oss_server  # noqa: F401  (fixtures)
from tests.factories import bearer, make_user

LADDER = [
    {
        "key": "reminder",
        "kind": "reminder",
        "channels": ["sms"],
        "template": "dunning_reminder",
        "wait_days": 3,
    },
    {
        "key": "follow-up",
        "kind": "follow_up",
        "channels": ["sms", "email"],
        "template": "dunning_follow_up",
        "wait_days": 5,
        "min_days_past_due": 3,
    },
    {
        "key": "final",
        "kind": "final_notice",
        "channels": ["sms"],
        "template": "dunning_final_notice",
        "wait_days": 7,
    },
    {"key": "suspend", "kind": "suspension", "wait_days": 2},
    {"key": "handoff", "kind": "handoff", "wait_days": 0},
]


class Clock:
    """The server's time, moved on by whole days (so quiet hours stay where they were)."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, days: int) -> datetime:
        self.offset += timedelta(days=days)
        return self()


@pytest.fixture
def moving_clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    moving = Clock()
    monkeypatch.setattr(clock, "now", moving)
    return moving


@pytest.fixture
async def operator():
    return await make_user(Role.OPERATOR_ADMIN)


@pytest.fixture
def as_operator(signing_key, operator) -> Callable[[], dict[str, str]]:
    return lambda: bearer(signing_key, operator)


async def configure(client, headers, *, steps=None, segment="everyone", rules=None) -> None:
    """One segment and its ladder, through the API as operators set them."""
    made = await client.post(
        "/segments",
        json={"id": segment, "name": segment.title(), "rules": rules or {}},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    strategy = await client.post(
        "/dunning/strategies",
        json={"segment_id": segment, "name": f"{segment} ladder", "steps": steps or LADDER},
        headers=headers,
    )
    assert strategy.status_code == 201, strategy.text
