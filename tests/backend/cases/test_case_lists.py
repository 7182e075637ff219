"""Lists read off the list indexes a bounded window at a time, and still page exactly:
every case once, in order, ties and missing values included, in every scope and sort."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from bson import ObjectId

from backend.cases import listing, queries, repository
from backend.cases.models import Case, PartStatus
from backend.cases.phases import Phase
from backend.cases.queries import SORTS, CaseFilters, CaseSearch
from backend.cases.schemas import CaseSort
from backend.core.money import Money
from backend.users.models import Role, User
from tests.factories import bearer, make_case, make_user

WORKING = [Phase.ALLOCATED, Phase.ASSIGNED, Phase.NEGOTIATION, Phase.SETTLEMENT, Phase.CLOSED]


def _raw_case(n: int, drc_id: str, ro_id: str | None, rng: random.Random, **fields) -> dict:
    now = datetime.now(UTC).replace(microsecond=0)
    amount = rng.choice([0, 5_000, 5_000, 120_000, 9_000_000])
    phase = rng.choice(WORKING)
    case = Case(
        incident_id=f"LIST-{drc_id}-{n:05d}",
        customer_id=f"CUS-L{n:05d}",
        customer_name=rng.choice(["Kamala Perera", "Nimal Silva", "Ruwan Kamal"]),
        account_id=f"ACC-L{n:06d}",
        product_ids=[f"P{n}"],
        action="arrears",
        arrears=Money(amount=amount),
        outstanding=Money(amount=amount),
        phase=phase,
        arrears_status=PartStatus.OPEN,
        drc_id=drc_id,
        ro_id=None if phase is Phase.ALLOCATED else ro_id,
        validity_until=rng.choice([None, now + timedelta(days=rng.randint(1, 5))]),
        next_follow_up=rng.choice([None, now - timedelta(days=rng.randint(0, 3))]),
        # whole seconds over a few minutes: plenty of ties
        updated_at=now - timedelta(seconds=rng.randint(0, 40)),
        **fields,
    )
    return {"_id": ObjectId(), **case.model_dump(mode="python", exclude={"id", "revision_id"})}


async def _load(drc_id: str, officers: list[User], count: int, seed: int = 3) -> None:
    rng = random.Random(seed)
    rows = [_raw_case(n, drc_id, rng.choice(officers).id, rng) for n in range(count)]
    await Case.get_pymongo_collection().insert_many(rows)
    await repository.rebuild_officer_counts()


def _expected(rows: list[dict], sort: CaseSort) -> list[str]:
    field, direction = SORTS[sort]
    kept = [r for r in rows if listing.value_of(r, field) is not None]
    kept.sort(key=lambda r: (listing.value_of(r, field), r["_id"]), reverse=direction < 0)
    return [str(r["_id"]) for r in kept]


async def _walk(actor: User, filters: CaseFilters, sort: CaseSort, limit: int) -> list[str]:
    seen: list[str] = []
    cursor = None
    for _ in range(500):
        page = await queries.list_cases(
            actor=actor, filters=filters, sort=sort, cursor=cursor, limit=limit
        )
        seen += [case.id for case in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("the list never ended")


async def test_every_list_pages_exactly_in_every_scope_and_sort():
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    officers = [await make_user(Role.RECOVERY_OFFICER, drc_id=supervisor.drc_id) for _ in "ab"]
    admin = await make_user(Role.OPERATOR_ADMIN)
    drc_id = supervisor.drc_id or ""
    await _load(drc_id, officers, 60)
    await _load("DRC-OTHER", officers[:1], 15, seed=4)
    everything = await Case.get_pymongo_collection().find({}).to_list()
    lists = [
        (supervisor, CaseFilters(open_only=True), lambda r: r["drc_id"] == drc_id and r["is_open"]),
        (supervisor, CaseFilters(), lambda r: r["drc_id"] == drc_id),
        (
            supervisor,
            CaseFilters(phases=[Phase.NEGOTIATION, Phase.CLOSED], ro_id=officers[0].id),
            lambda r: (
                r["drc_id"] == drc_id
                and r["ro_id"] == officers[0].id
                and r["phase"] in ("negotiation", "closed")
            ),
        ),
        (officers[0], CaseFilters(phases=[Phase.SETTLEMENT]), None),
        (
            supervisor,
            CaseSearch(text="kamala"),
            lambda r: r["drc_id"] == drc_id and r["customer_name"].startswith("Kamala"),
        ),
        (admin, CaseFilters(open_only=True), lambda r: r["is_open"]),
        (admin, CaseFilters(drc_id="DRC-OTHER"), lambda r: r["drc_id"] == "DRC-OTHER"),
    ]
    for actor, filters, keep in lists:
        if keep is None:

            def keep(r, uid=actor.id):
                return r["ro_id"] == uid and r["phase"] == "settlement"

        rows = [r for r in everything if keep(r)]
        for sort in CaseSort:
            assert await _walk(actor, filters, sort, 7) == _expected(rows, sort), (filters, sort)


@pytest.mark.parametrize("found_by_index", [True, False])
async def test_a_search_finds_every_match_by_its_index_or_a_bounded_window_a_page(
    monkeypatch, found_by_index
):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=supervisor.drc_id)
    await _load(supervisor.drc_id or "", [officer], 40)
    await _load("DRC-OTHER", [officer], 10, seed=9)
    if not found_by_index:  # too many matches for the name index: windows of the list
        monkeypatch.setattr(queries, "SELECTIVE_CAP", 2)
        monkeypatch.setattr(listing, "SCAN_BUDGET", 6)
    read: list[bool] = []  # whether each read was a window of the open list
    original = repository.find_rows

    async def counted(filters, fields, **kw):
        read.append("is_open" in filters)
        return await original(filters, fields, **kw)

    monkeypatch.setattr(repository, "find_rows", counted)
    everything = await Case.get_pymongo_collection().find({}).to_list()
    for term, named in (("KAMAL", ("kamala", "kamal")), ("Kamala per", ("kamala perera",))):
        read.clear()
        search = CaseSearch(open_only=True, text=term)
        found = await _walk(supervisor, search, CaseSort.UPDATED, 3)
        rows = [
            r
            for r in everything
            if r["is_open"]
            and r["drc_id"] == supervisor.drc_id
            and any(word in r["customer_name"].lower() for word in named)
        ]
        assert found == _expected(rows, CaseSort.UPDATED), term
        assert any(read) is not found_by_index
        counts = await queries.phase_counts(actor=supervisor, filters=search)
        assert counts.total == len(rows)


@pytest.mark.parametrize("sort", list(CaseSort))
async def test_a_page_reads_about_a_page_on_a_list_index(monkeypatch, sort):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    officer = await make_user(Role.RECOVERY_OFFICER, drc_id=supervisor.drc_id)
    rng = random.Random(5)
    now = datetime.now(UTC)
    rows = []
    for n in range(600):
        row = _raw_case(n, supervisor.drc_id or "", officer.id, rng)
        row.update(
            phase="negotiation",
            is_open=True,
            updated_at=now - timedelta(hours=n),
            validity_until=now + timedelta(hours=n),
            next_follow_up=now - timedelta(days=30) + timedelta(hours=n),
            outstanding={"amount": 1000 + 37 * n, "currency": "LKR"},
        )
        rows.append(row)
    await Case.get_pymongo_collection().insert_many(rows)
    issued: list[tuple[dict, int]] = []
    original = repository.find_rows

    async def counted(filters, fields, **kw):
        found = await original(filters, fields, **kw)
        issued.append((filters, len(found)))
        return found

    monkeypatch.setattr(repository, "find_rows", counted)
    filters = CaseFilters(open_only=True)
    page = await queries.list_cases(
        actor=supervisor, filters=filters, sort=sort, cursor=None, limit=25
    )
    for cursor in (None, page.next_cursor, None):
        issued.clear()
        await queries.list_cases(
            actor=supervisor, filters=filters, sort=sort, cursor=cursor, limit=25
        )
        assert sum(n for _, n in issued) <= 3 * 26, (sort, issued)
        assert len(issued) <= 4, (sort, issued)
    collection = Case.get_pymongo_collection()
    for query, _ in issued:
        plan = (await collection.find(query).explain())["queryPlanner"]["winningPlan"]
        assert "is_open" in str(plan) and "IXSCAN" in str(plan), plan


async def test_the_api_pages_the_open_list_of_a_supervisor(client, signing_key):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    made = [await make_case(p, drc_id=supervisor.drc_id) for p in ("allocated", "negotiation")]
    await make_case("negotiation")
    body = (
        await client.get(
            "/cases",
            params={"open_only": "true", "limit": 1},
            headers=bearer(signing_key, supervisor),
        )
    ).json()
    assert body["items"][0]["id"] == str(made[1].id) and body["next_cursor"]
