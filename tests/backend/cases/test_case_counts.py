"""The count shards summed per DRC, per officer and overall always equal a fresh
aggregation of the cases, whatever mix of writes came before; the repair restores them."""

from __future__ import annotations

from backend.cases import queries, repository
from backend.cases import service as cases
from backend.cases.models import Action, Case, CaseCountShard, PartStatus, open_key
from backend.cases.phases import Phase
from backend.cases.queries import CaseFilters
from backend.core import db
from backend.core.money import Money
from backend.users.models import Role
from tests.factories import bearer, make_account, make_case, make_user


async def _truth(filters: dict) -> dict[str, int]:
    counts: dict[str, int] = {}
    async for case in Case.find(filters):
        counts[case.phase.value] = counts.get(case.phase.value, 0) + 1
    return counts


def _nonzero(counts: dict[str, int]) -> dict[str, int]:
    return {phase: n for phase, n in counts.items() if n}


async def _bulk_open(drc_id: str | None, n: int) -> list[Case]:
    """`n` cases opened in one bulk call (as intake does), held by `drc_id` or the pool."""
    batch = []
    for _ in range(n):
        account = await make_account()
        product = account.products[0]
        case = Case(
            incident_id=f"INC-B-{account.id}",
            customer_id=account.customer_id,
            customer_name="Bulk Customer",
            account_id=account.id,
            product_ids=[product.id],
            action=Action.ARREARS,
            arrears=Money(amount=1000),
            outstanding=Money(amount=1000),
            phase=Phase.ALLOCATED if drc_id else Phase.NEW,
            arrears_status=PartStatus.OPEN,
            drc_id=drc_id,
        )
        batch.append((case, [open_key(account.id, product.id, case.action)]))
    async with db.transaction() as session:
        opened, _ = await cases.open_cases(actor=None, cases=batch, session=session)
    return opened


async def _change(case: Case, to: Phase | None = None, **changes) -> Case:
    async with db.transaction() as session:
        if to is None:
            return await cases.update(
                actor=None, case=case, action="test.change", changes=changes, session=session
            )
        return await cases.move(
            actor=None, case=case, to=to, action="test.move", changes=changes, session=session
        )


async def _a_mix_of_writes() -> tuple[list[str], list[str]]:
    """Creates (one by one and in bulk), assignments, reassignments, moves, recalls and
    closes over two DRCs and the pool; the DRCs' and officers' ids."""
    first = await make_user(Role.RECOVERY_OFFICER)
    second = await make_user(Role.RECOVERY_OFFICER, drc_id=first.drc_id)
    other = await make_user(Role.RECOVERY_OFFICER)
    drcs = [first.drc_id or "", other.drc_id or ""]
    held = [await make_case(p, ro=first) for p in ("assigned", "negotiation", "settlement")]
    held.append(await make_case("mediation", ro=other))
    await make_case("new")
    allocated = await _bulk_open(first.drc_id, 5) + await _bulk_open(None, 3)
    await _change(allocated[0], Phase.ASSIGNED, ro_id=second.id)
    await _change(allocated[1], Phase.ASSIGNED, ro_id=first.id)
    await _change(held[0], ro_id=second.id)  # reassigned within the DRC
    await _change(held[1], Phase.SETTLEMENT)
    await _change(held[2], Phase.CLOSED)
    await _change(held[3], Phase.SETTLEMENT)
    await _change(allocated[2], Phase.NEW, drc_id=None)  # recalled to the pool
    await _change(allocated[5], Phase.ALLOCATED, drc_id=other.drc_id)
    await _change(allocated[6], Phase.CLOSED)
    return drcs, [first.id, second.id, other.id]


async def _assert_kept_equal_truth(drcs: list[str], officers: list[str]) -> None:
    for drc_id in [*drcs, None]:
        truth = await _truth({"drc_id": drc_id})
        assert _nonzero(await repository.count_shards({"drc_id": drc_id})) == truth, drc_id
    for ro_id in officers:
        truth = await _truth({"ro_id": ro_id})
        assert _nonzero(await repository.count_shards({"ro_id": ro_id})) == truth, ro_id
        assert _nonzero(await repository.officer_counts(ro_id)) == truth, ro_id
    assert _nonzero(await repository.count_shards({})) == await _truth({})


async def test_shards_equal_a_fresh_count_after_a_mix_of_writes():
    drcs, officers = await _a_mix_of_writes()
    await _assert_kept_equal_truth(drcs, officers)
    # no single document takes a DRC's writes: its cases are spread over its shards
    shards = await CaseCountShard.find({"drc_id": drcs[0]}).to_list()
    assert len(shards) >= 3


async def test_the_repair_restores_flags_and_shards():
    drcs, officers = await _a_mix_of_writes()
    await CaseCountShard.get_pymongo_collection().update_many({}, {"$set": {"phases": {}}})
    await CaseCountShard(id="stale|x", drc_id=drcs[0], phases={"new": 9}).insert()
    await Case.get_pymongo_collection().update_many({}, {"$unset": {"is_open": ""}})
    flagged, _ = await cases.keep_case_lists()
    assert flagged == await Case.find({}).count()
    await _assert_kept_equal_truth(drcs, officers)
    closed = await Case.get_pymongo_collection().count_documents({"is_open": False})
    assert closed == await Case.find({"phase": "closed"}).count() > 0


async def test_counts_of_every_scope_read_the_shards(client, signing_key):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=supervisor.drc_id)
    admin = await make_user(Role.OPERATOR_ADMIN)
    for phase in ("allocated", "negotiation", "closed"):
        await make_case(phase, drc_id=supervisor.drc_id)
    await make_case("mediation", ro=officer)
    await make_case("negotiation")  # another DRC's
    for actor, params in (
        (supervisor, {}),
        (supervisor, {"open_only": "true"}),
        (supervisor, {"ro_id": officer.id}),
        (supervisor, {"phase": ["negotiation", "mediation"]}),
        (supervisor, {"drc_id": "DRC-ELSEWHERE"}),
        (admin, {}),
        (admin, {"drc_id": supervisor.drc_id, "open_only": "true"}),
        (officer, {"phase": "mediation"}),
    ):
        body = (
            await client.get("/cases/counts", params=params, headers=bearer(signing_key, actor))
        ).json()
        filters = CaseFilters(
            phases=[Phase(p) for p in _listed(params.get("phase"))] or None,
            ro_id=params.get("ro_id"),
            drc_id=params.get("drc_id"),
            open_only="open_only" in params,
        )
        truth = await repository.count_by_phase(filters.query(actor))
        assert _nonzero(body["counts"]) == truth, (actor.role, params)
        assert body["total"] == sum(truth.values())
    kept = await queries.phase_counts(actor=supervisor, filters=CaseFilters())
    assert kept.total == 3  # make_case closes a case from the pool


def _listed(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    return [value] if isinstance(value, str) else value


async def test_a_filter_the_shards_do_not_keep_still_counts_right():
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    await make_case("allocated", drc_id=supervisor.drc_id, action=Action.CPE)
    await make_case("allocated", drc_id=supervisor.drc_id, action=Action.ARREARS)
    counts = await queries.phase_counts(actor=supervisor, filters=CaseFilters(action=Action.CPE))
    assert counts.total == 1 and counts.counts[Phase.ALLOCATED] == 1
