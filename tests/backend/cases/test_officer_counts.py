"""Officers' kept per-phase counts always equal a fresh count of their cases."""

from __future__ import annotations

from backend.cases import repository
from backend.cases import service as cases
from backend.cases.models import Case, OfficerCaseCounts
from backend.cases.phases import Phase
from backend.core import db
from backend.users.models import Role
from tests.factories import bearer, make_case, make_user


async def _truth(ro_id: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    async for case in Case.find({"ro_id": ro_id}):
        counts[case.phase.value] = counts.get(case.phase.value, 0) + 1
    return counts


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {phase: n for phase, n in counts.items() if n}


async def test_counts_follow_moves_reassignments_and_closing(client, signing_key):
    first = await make_user(Role.RECOVERY_OFFICER)
    second = await make_user(Role.RECOVERY_OFFICER, drc_id=first.drc_id)
    held = [await make_case(p, ro=first) for p in ("assigned", "negotiation", "settlement")]
    async with db.transaction() as session:
        await cases.update(
            actor=None,
            case=held[0],
            action="test.reassign",
            changes={"ro_id": second.id},
            session=session,
        )
    async with db.transaction() as session:
        await cases.move(
            actor=None, case=held[1], to=Phase.CLOSED, action="test.close", session=session
        )
    for officer in (first, second):
        kept = await repository.officer_counts(officer.id)
        assert _nonzero(kept) == await _truth(officer.id)
    body = (await client.get("/cases/counts", headers=bearer(signing_key, first))).json()
    assert body["counts"]["settlement"] == 1 and body["counts"]["closed"] == 1
    assert body["counts"]["assigned"] == 0 and body["total"] == 2


async def test_a_failed_transaction_leaves_the_counts_alone():
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    try:
        async with db.transaction() as session:
            await cases.move(
                actor=None, case=case, to=Phase.NEGOTIATION, action="test", session=session
            )
            raise RuntimeError("the caller's work fails after the move")
    except RuntimeError:
        pass
    assert _nonzero(await repository.officer_counts(officer.id)) == {"assigned": 1}


async def test_rebuild_repairs_drift():
    officer = await make_user(Role.RECOVERY_OFFICER)
    await make_case("negotiation", ro=officer)
    await OfficerCaseCounts.get_pymongo_collection().update_one(
        {"_id": officer.id}, {"$set": {"phases": {"negotiation": 7}}}
    )
    await repository.rebuild_officer_counts()
    assert _nonzero(await repository.officer_counts(officer.id)) == {"negotiation": 1}
