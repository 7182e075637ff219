"""A case's contact digest (count, latest few) says what its records say."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from bson import ObjectId

from backend.cases import service as cases
from backend.cases.contacts import (
    RECENT_CONTACTS,
    ContactChannel,
    ContactDigest,
    ContactResult,
    NegotiationOutcome,
)
from backend.core import db
from backend.negotiations import projections, repository
from backend.negotiations import service as negotiations
from backend.negotiations.models import Negotiation
from backend.negotiations.schemas import NegotiationCreate
from backend.users.models import Role
from tests.factories import make_case, make_user
from tests.harness import debtx


def contact(at: datetime, n: int) -> NegotiationCreate:
    return NegotiationCreate(
        contacted_at=at,
        channel=ContactChannel.CALL,
        result=ContactResult.NO_ANSWER,
        outcome=NegotiationOutcome.UNREACHABLE,
        notes=f"attempt {n}",
    )


async def kept(case_id: str) -> ContactDigest | None:
    case = await cases.get_unscoped(case_id)
    assert case is not None
    return case.contacts


async def from_records(case_id: str) -> ContactDigest:
    return (await repository.digests_from_records([case_id]))[case_id]


async def test_contacts_synced_out_of_order_keep_the_latest_in_order():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    start = datetime.now(UTC) - timedelta(minutes=3)
    # Phones sync late and in any order; two contacts share a moment.
    times = [db.as_stored(start + timedelta(seconds=10 * m)) for m in (5, 1, 9, 3, 9, 7, 2, 8)]
    random.Random(7).shuffle(times)
    for n, at in enumerate(times):
        await negotiations.record_negotiation(actor=officer, case=case, data=contact(at, n))
    stored = await kept(str(case.id))
    assert stored is not None and stored.total == len(times)
    assert stored == await from_records(str(case.id))
    assert [b.contacted_at for b in stored.recent] == sorted(times, reverse=True)[:RECENT_CONTACTS]


async def old_records(case, officer, *, since: datetime, count: int) -> None:
    """Records stored as before digests were kept: inserted, not counted on the case."""
    for n in range(count):
        await Negotiation(
            id=ObjectId(),
            case_id=str(case.id),
            drc_id=case.drc_id,
            officer_id=officer.id,
            contacted_at=since + timedelta(seconds=10 * n),
            channel=ContactChannel.VISIT,
            result=ContactResult.NOT_AT_PREMISES,
            outcome=NegotiationOutcome.UNREACHABLE,
        ).insert()


async def test_a_case_contacted_before_digests_were_kept_counts_its_old_records():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    earlier = db.as_stored(datetime.now(UTC) - timedelta(minutes=3))
    await old_records(case, officer, since=earlier, count=7)
    shown = (await projections.digests_for([case]))[str(case.id)]
    assert shown.total == 7 and shown.latest == earlier + timedelta(seconds=60)
    assert await kept(str(case.id)) is None  # reading stores nothing

    late = earlier - timedelta(seconds=30)  # older than every record: not among the latest
    await negotiations.record_negotiation(actor=officer, case=case, data=contact(late, 0))
    stored = await kept(str(case.id))
    assert stored is not None and stored.total == 8
    assert stored == await from_records(str(case.id))
    fresh = await cases.get_unscoped(str(case.id))
    assert (await projections.digests_for([fresh]))[str(case.id)] == stored


async def test_a_case_never_contacted_has_no_digest():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    assert await projections.digests_for([case]) == {}


async def test_cases_contacted_before_digests_were_kept_are_given_one_once(settings):
    officer = await make_user(Role.RECOVERY_OFFICER)
    old, counted, silent = [await make_case("negotiation", ro=officer) for _ in range(3)]
    earlier = db.as_stored(datetime.now(UTC) - timedelta(minutes=3))
    for case in (old, counted):
        await old_records(case, officer, since=earlier, count=3)
    await negotiations.record_negotiation(
        actor=officer, case=counted, data=contact(earlier + timedelta(minutes=1), 0)
    )
    before = {str(c.id): await cases.get_unscoped(str(c.id)) for c in (old, counted, silent)}

    assert await negotiations.keep_old_digests(batch=1) == 1
    stored = await kept(str(old.id))
    assert stored is not None and stored.total == 3
    assert stored == await from_records(str(old.id))
    assert (await kept(str(counted.id))) == before[str(counted.id)].contacts  # its own, kept
    assert await kept(str(silent.id)) is None  # never contacted: nothing to keep
    for case_id, was in before.items():  # the documents read the same: no new version
        assert (await cases.get_unscoped(case_id)).version == was.version
    status, out, err = await debtx(settings, "keep-contact-digests")  # the command, again
    assert (status, out.strip()) == (0, "0 cases given a contact digest"), err
