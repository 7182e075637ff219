"""The mirror's lag and backlog on the API's /metrics.

The mirror runs in a Celery worker; it saves where it is (sync.mirror.MirrorState) at
least once a second while it works and as soon as it has caught up. A scrape reads that
document for what only the mirror knows (its last page's lag, its dead letters), and
measures what it has not written yet from the log itself, so the backlog and the age of
the oldest waiting change keep growing when no mirror runs: the state a stopped mirror
saved last would show none.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from pymongo import ASCENDING, MongoClient
from pymongo.database import Database

from backend.core import clock
from backend.core.settings import MongoSettings
from sync.models import ChangeEntry, LogState, MirrorState, QueuedChange


def _name(document: type) -> str:
    return document.Settings.name  # type: ignore[attr-defined]


def _pending(db: Database, cursor: int) -> tuple[int, datetime | None]:
    """Changes the mirror has not written (after `cursor`, or not yet given a cursor),
    and when the oldest of them was committed."""
    log = db[_name(LogState)].find_one({"_id": "changes"}) or {}
    queue = db[_name(QueuedChange)]
    waiting = max(0, log.get("last", 0) - cursor) + queue.estimated_document_count()
    if not waiting:
        return 0, None
    first = [
        db[_name(ChangeEntry)].find_one({"_id": cursor + 1}, {"at": 1}),
        queue.find_one({}, {"at": 1}, sort=[("_id", ASCENDING)]),  # the first queued
    ]
    return waiting, min((row["at"] for row in first if row), default=None)


class MirrorCollector(Collector):
    def __init__(self, settings: MongoSettings) -> None:
        self.settings = settings
        self._client: MongoClient | None = None

    def _read(self) -> tuple[dict | None, int, datetime | None] | None:
        """The mirror's saved state (None: it never ran), and what it has not written."""
        if self._client is None:
            self._client = MongoClient(
                self.settings.uri.get_secret_value(), serverSelectionTimeoutMS=1000, tz_aware=True
            )
        db = self._client[self.settings.database]
        try:
            state = db[_name(MirrorState)].find_one({"_id": "firestore"})
            return state, *_pending(db, state["cursor"] if state else 0)
        except Exception:  # a scrape must not fail because MongoDB hiccups
            return None

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        read = self._read()
        if read is None:
            return
        state, waiting, oldest = read
        now = clock.now()
        yield GaugeMetricFamily(
            "debtx_mirror_backlog",
            "Committed changes the mirror has not written yet, read from the log",
            value=waiting,
        )
        yield GaugeMetricFamily(
            "debtx_mirror_oldest_pending_seconds",
            "Since the oldest change the mirror has not written was committed (0: none)",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        if state is None:
            return
        yield GaugeMetricFamily(
            "debtx_mirror_lag_seconds",
            "Commit to Firestore for the last page the mirror wrote",
            value=state.get("lag_seconds", 0.0),
        )
        yield GaugeMetricFamily(
            "debtx_mirror_state_age_seconds",
            "Since the mirror last reported (a stopped mirror keeps growing it)",
            value=(now - state["updated_at"]).total_seconds(),
        )
        yield CounterMetricFamily(
            "debtx_mirror_dead_letters",
            "Writes Firestore kept refusing, moved to mirror_dead_letters",
            value=state.get("dead_letters", 0),
        )
