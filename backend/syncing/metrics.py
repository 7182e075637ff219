"""The mirror's lag and backlog on the API's /metrics, read from its saved state.

The mirror runs in a Celery worker; it saves where it is (sync.mirror.MirrorState) at
least once a second while it works and as soon as it has caught up, and each scrape
reads that one document.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from pymongo import MongoClient

from backend.core.settings import MongoSettings


class MirrorCollector(Collector):
    def __init__(self, settings: MongoSettings) -> None:
        self.settings = settings
        self._client: MongoClient | None = None

    def _state(self) -> dict | None:
        if self._client is None:
            self._client = MongoClient(
                self.settings.uri.get_secret_value(), serverSelectionTimeoutMS=1000, tz_aware=True
            )
        try:
            return self._client[self.settings.database]["mirror_state"].find_one(
                {"_id": "firestore"}
            )
        except Exception:  # a scrape must not fail because MongoDB hiccups
            return None

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        state = self._state()
        if state is None:
            return
        yield GaugeMetricFamily(
            "debtx_mirror_lag_seconds",
            "Commit to Firestore for the last page the mirror wrote",
            value=state.get("lag_seconds", 0.0),
        )
        yield GaugeMetricFamily(
            "debtx_mirror_backlog",
            "Change-log entries the mirror has not written yet",
            value=state.get("backlog", 0),
        )
        age = (datetime.now(UTC) - state["updated_at"]).total_seconds()
        yield GaugeMetricFamily(
            "debtx_mirror_state_age_seconds",
            "Since the mirror last reported (a stopped mirror keeps growing it)",
            value=age,
        )
        yield CounterMetricFamily(
            "debtx_mirror_dead_letters",
            "Writes Firestore kept refusing, moved to mirror_dead_letters",
            value=state.get("dead_letters", 0),
        )
