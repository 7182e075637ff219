"""Pruning by age, the dry run that changes nothing, the run records, the command and
the beat entry."""

from __future__ import annotations

import json
from datetime import timedelta

from backend.core import clock, db
from backend.notifications.models import Audience, Channel, Delivery, DeliveryStatus
from backend.retention import service
from backend.retention.models import RetentionRun
from backend.users.models import Role
from backend.worker.app import celery_app
from backend.worker.schedule import BEAT_SCHEDULE
from sync import changelog
from sync.models import ChangeEntry
from tests.backend.retention.helpers import database_state, worked_case
from tests.factories import bearer, make_user
from tests.harness import debtx


async def _delivery(status: DeliveryStatus) -> Delivery:
    return await Delivery(
        channel=Channel.SMS,
        audience=Audience.CUSTOMER,
        kind="payment_reminder",
        customer_id="CUS-1",
        body="Please pay",
        to="+94771234567",
        status=status,
    ).insert()


async def test_the_change_log_and_finished_deliveries_are_pruned_by_age(retention_settings):
    await worked_case(close=True)
    sent, failed = await _delivery(DeliveryStatus.SENT), await _delivery(DeliveryStatus.FAILED)
    waiting = await _delivery(DeliveryStatus.RETRYING)
    await changelog.sequence_all()
    entries = await ChangeEntry.find().count()
    assert entries > 0
    soon = await service.run(
        actor=None, settings=retention_settings, now=clock.now() + timedelta(days=29)
    )
    assert soon.pruned_changes.count == 0 and soon.pruned_deliveries.count == 0
    later = clock.now() + timedelta(days=181)
    done = await service.run(actor=None, settings=retention_settings, now=later)
    assert done.pruned_changes.count == entries and await ChangeEntry.find().count() == 0
    floor, _ = await changelog.bounds()
    assert str(floor) == done.pruned_changes.sample[0]  # older cursors now get a reset
    assert done.pruned_deliveries.count == 2
    assert set(done.pruned_deliveries.sample) == {str(sent.id), str(failed.id)}
    assert await Delivery.get(waiting.id) is not None  # not finished: still to send
    assert done.archived_cases.count == 0  # closed 181 days ago: within two years


async def test_a_dry_run_says_what_a_run_would_do_and_changes_nothing(app, retention_settings):
    officer = await make_user(Role.RECOVERY_OFFICER)
    await worked_case(officer, close=True)
    await worked_case(officer, close=False)
    await _delivery(DeliveryStatus.SENT)
    await changelog.sequence_all()
    database = db.bound_client()[retention_settings.mongo.database]
    before = await database_state(database)
    later = clock.now() + timedelta(days=8 * 366)
    dry = await service.run(actor=None, settings=retention_settings, dry_run=True, now=later)
    assert await database_state(database) == before
    assert dry.dry_run and dry.id is None
    assert (dry.archived_cases.count, dry.minimised_customers.count) == (1, 1)
    assert dry.pruned_changes.count > 0 and dry.pruned_deliveries.count == 1
    real = await service.run(actor=None, settings=retention_settings, now=later)
    for part in ("archived_cases", "minimised_customers", "pruned_deliveries"):
        assert getattr(real, part) == getattr(dry, part), part
    assert real.pruned_changes.count >= dry.pruned_changes.count  # the run's own changes too


async def test_runs_are_listed_for_operator_admins_only(client, signing_key, retention_settings):
    admin = await make_user(Role.OPERATOR_ADMIN)
    await worked_case(close=True)
    later = clock.now() + timedelta(days=800)
    first = await service.run(actor=admin, settings=retention_settings, now=later)
    await service.run(actor=None, settings=retention_settings, dry_run=True, now=later)
    second = await service.run(actor=None, settings=retention_settings, now=later)
    page = (await client.get("/retention/runs", headers=bearer(signing_key, admin))).json()
    assert [r["id"] for r in page["items"]] == [second.id, first.id]
    assert page["items"][1]["archived_cases"]["count"] == 1
    assert page["items"][1]["actor_uid"] == admin.id
    one = await client.get(
        "/retention/runs", params={"limit": 1}, headers=bearer(signing_key, admin)
    )
    rest = await client.get(
        "/retention/runs",
        params={"cursor": one.json()["next_cursor"]},
        headers=bearer(signing_key, admin),
    )
    assert [r["id"] for r in rest.json()["items"]] == [first.id]
    staff = await make_user(Role.OPERATOR_OFFICER)
    refused = await client.get("/retention/runs", headers=bearer(signing_key, staff))
    assert refused.status_code == 403
    assert await RetentionRun.find().count() == 2


async def test_the_command_runs_dry_and_for_real(app, settings):
    await worked_case(close=True)
    code, out, _ = await debtx(settings, "retention", "--dry-run")
    assert code == 0 and json.loads(out)["dry_run"] is True
    assert await RetentionRun.find().count() == 0
    code, out, _ = await debtx(settings, "retention")
    assert code == 0 and json.loads(out)["archived_cases"]["count"] == 0  # closed today
    assert await RetentionRun.find().count() == 1


def test_beat_runs_retention_and_backups_daily():
    celery_app.loader.import_default_modules()
    for name in ("retention.run", "backups.create"):
        assert BEAT_SCHEDULE[name]["task"] == name and name in celery_app.tasks


def test_months_are_calendar_months():
    from datetime import UTC, datetime

    at = datetime(2027, 3, 31, 12, 30, tzinfo=UTC)
    assert service.months_before(at, 1) == datetime(2027, 2, 28, 12, 30, tzinfo=UTC)
    assert service.months_before(at, 24) == datetime(2025, 3, 31, 12, 30, tzinfo=UTC)
    assert service.months_before(datetime(2028, 1, 15, tzinfo=UTC), 13) == datetime(
        2026, 12, 15, tzinfo=UTC
    )
