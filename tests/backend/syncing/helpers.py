"""An officer's phone as the tests drive it: a queue of numbered mutations."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.factories import bearer

_clients = itertools.count(1)


def now_iso(delta: timedelta = timedelta(0)) -> str:
    return (datetime.now(UTC) + delta).isoformat()


def contact_args(case_id: str, **fields: Any) -> dict[str, Any]:
    return {
        "case_id": case_id,
        "contacted_at": now_iso(-timedelta(minutes=1)),
        "channel": "call",
        "result": "reached",
        "outcome": "refused",
        **fields,
    }


@dataclass
class Device:
    """One installation of the app: its own client_id and mutation counter."""

    user: Any
    client_id: str = field(default_factory=lambda: f"dev-{next(_clients)}-{uuid.uuid4().hex[:8]}")
    next_id: int = 1
    queue: list[dict[str, Any]] = field(default_factory=list)

    def mutation(
        self,
        name: str,
        args: dict[str, Any],
        *,
        base_version: int | None = None,
        depends_on: list[int] | None = None,
        device_time: datetime | None = None,
        app_version: str = "1.4.0",
    ) -> dict[str, Any]:
        mutation = {
            "client_id": self.client_id,
            "mutation_id": self.next_id,
            "name": name,
            "args": args,
            "base_version": base_version,
            "device_time": (device_time or datetime.now(UTC)).isoformat(),
            "app_version": app_version,
            "schema_version": 1,
            "depends_on": depends_on or [],
        }
        self.next_id += 1
        self.queue.append(mutation)
        return mutation

    def negotiation(self, case_id: str, **fields: Any) -> dict[str, Any]:
        return self.mutation("negotiation.record", contact_args(case_id, **fields))


async def push(client, key, user, mutations: list[dict[str, Any]]):
    response = await client.post(
        "/sync/push", json={"mutations": mutations}, headers=bearer(key, user)
    )
    return response


async def push_ok(client, key, user, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    response = await push(client, key, user, mutations)
    assert response.status_code == 200, response.text
    return response.json()["results"]


async def pull_all(client, key, user, since: str | None = None) -> tuple[list[dict], str]:
    """Pull pages until there are no more; returns the changes and the last cursor."""
    changes: list[dict] = []
    while True:
        params = {"limit": 50} | ({"since": since} if since else {})
        response = await client.get("/sync/pull", params=params, headers=bearer(key, user))
        assert response.status_code == 200, response.text
        page = response.json()
        changes += page["changes"]
        since = page["next"]
        if not page["has_more"]:
            return changes, since
