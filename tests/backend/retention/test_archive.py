"""Closed cases older than the limit move to the archive with their records; operator
staff still read them, reports still count them, officers' apps lose them."""

from __future__ import annotations

from datetime import timedelta

from bson import ObjectId

from backend.cases import repository as case_repository
from backend.cases.models import Case
from backend.core import audiences, clock
from backend.negotiations.models import Negotiation, Promise
from backend.retention import archive, service
from backend.retention.models import ArchivedCase
from backend.users.models import Role
from sync import changelog
from tests.backend.retention.helpers import worked_case
from tests.factories import bearer, make_user


async def test_closed_cases_past_the_limit_move_with_their_records(retention_settings):
    officer = await make_user(Role.RECOVERY_OFFICER)
    closed = [await worked_case(officer, close=True) for _ in range(3)]
    still_open = await worked_case(officer, close=False)
    later = clock.now() + timedelta(days=25 * 31)
    done = await service.run(actor=None, settings=retention_settings, now=later)
    assert done.archived_cases.count == 3
    assert set(done.archived_cases.sample) == {str(c.id) for c in closed}
    for case in closed:
        assert await Case.get(case.id) is None
        assert await Negotiation.find({"case_id": str(case.id)}).count() == 0
        archived = await ArchivedCase.get(case.id)
        assert archived is not None and archived.case["customer_name"] == case.customer_name
        assert [n["case_id"] for n in archived.records["negotiations"]] == [str(case.id)]
        assert len(archived.records["promises"]) == 1
    assert await Case.get(still_open.id) is not None
    assert await Promise.find({"case_id": str(still_open.id)}).count() == 1
    # the officer's counts no longer hold the archived cases
    assert (await case_repository.officer_counts(officer.id)).get("closed", 0) == 0


async def test_cases_closed_within_the_limit_stay(retention_settings):
    case = await worked_case(close=True)
    later = clock.now() + timedelta(days=23 * 31)
    done = await service.run(actor=None, settings=retention_settings, now=later)
    assert done.archived_cases.count == 0
    assert await Case.get(case.id) is not None


async def test_the_officers_app_is_told_the_case_is_gone(retention_settings):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await worked_case(officer, close=True)
    await changelog.sequence_all()
    _, head = await changelog.bounds()
    # the log's own limit is far off here: this run prunes none of it
    keep_log = retention_settings.model_copy(
        update={"sync": retention_settings.sync.model_copy(update={"retention_days": 10_000})}
    )
    await service.run(actor=None, settings=keep_log, now=clock.now() + timedelta(days=800))
    await changelog.sequence_all()
    changes = await changelog.read(since=head, audience=audiences.officer(officer.id), limit=10)
    gone = [c for c in changes if c.entity_id == str(case.id)]
    assert [c.action for c in gone] == ["case.archive"]
    assert gone[0].holders == [] and gone[0].version == case.version + 1


async def test_operator_staff_read_an_archived_case_others_cannot(
    client, signing_key, retention_settings
):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await worked_case(officer, close=True)
    await service.run(
        actor=None, settings=retention_settings, now=clock.now() + timedelta(days=800)
    )
    staff = await make_user(Role.OPERATOR_OFFICER)
    answer = await client.get(f"/archive/cases/{case.id}", headers=bearer(signing_key, staff))
    assert answer.status_code == 200
    body = answer.json()
    assert body["case"]["id"] == str(case.id) and body["case"]["phase"] == "closed"
    assert body["records"]["negotiations"][0]["case_id"] == str(case.id)
    listed = await client.get(
        "/archive/cases", params={"account_id": case.account_id}, headers=bearer(signing_key, staff)
    )
    assert [c["id"] for c in listed.json()] == [str(case.id)]
    for who in (officer, await make_user(Role.DRC_SUPERVISOR, drc_id=officer.drc_id)):
        refused = await client.get(f"/archive/cases/{case.id}", headers=bearer(signing_key, who))
        assert refused.status_code == 404 and refused.json()["code"] == "case.not_found"
    missing = await client.get(f"/archive/cases/{ObjectId()}", headers=bearer(signing_key, staff))
    assert missing.status_code == 404
    assert missing.json()["code"] == "case.not_found"
    every = await client.get("/archive/cases", headers=bearer(signing_key, staff))
    assert every.status_code == 200 and [c["id"] for c in every.json()] == [str(case.id)]


async def test_reports_count_archived_cases(retention_settings):
    officer = await make_user(Role.RECOVERY_OFFICER)
    cases = [await worked_case(officer, close=True) for _ in range(2)]
    await service.run(
        actor=None, settings=retention_settings, now=clock.now() + timedelta(days=800)
    )
    by_drc = await archive.archived_totals("drc_id")
    assert [(t.key, t.currency, t.cases) for t in by_drc] == [(officer.drc_id, "LKR", 2)]
    assert by_drc[0].arrears == sum(c.arrears.amount for c in cases)
    assert by_drc[0].recovered == by_drc[0].arrears - sum(c.outstanding.amount for c in cases)
    since_tomorrow = await archive.archived_totals(
        "outcome", closed_from=clock.now() + timedelta(days=1)
    )
    assert since_tomorrow == []
