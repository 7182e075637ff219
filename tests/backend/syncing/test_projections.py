"""What the mirror writes to Firestore: case documents, summaries and mutation outcomes."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from bson import ObjectId
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.asynchronous.database import AsyncDatabase

from backend.cases import projections
from backend.cases import service as cases
from backend.cases.phases import Phase
from backend.cases.sections import Section
from backend.core import db
from backend.core.money import Money
from backend.domains import CASE_SECTIONS
from backend.negotiations import service as negotiations
from backend.negotiations.schemas import NegotiationCreate
from backend.syncing import mirror
from backend.syncing.outcomes import OutcomeStatus, outcome_document
from backend.users.models import Role
from sync import changelog
from sync.models import MutationRecord, Review
from sync.protocol import Resolution, Result, Rule, Status, Winner
from tests.backend.payments.helpers import day, lkr, now_iso, plan, settle
from tests.backend.syncing.helpers import Device, push_ok
from tests.factories import bearer, make_case, make_user

FIRESTORE = Path(__file__).resolve().parents[3] / "mobile_contract" / "firestore"


async def _post(client, key, user, path: str, body: dict) -> dict:
    response = await client.post(path, json=body, headers=bearer(key, user))
    assert response.status_code in (200, 201), response.text
    return response.json()


def _contact(**fields: Any) -> dict:
    return {
        "contacted_at": now_iso(-timedelta(minutes=5)),
        "channel": "call",
        "result": "reached",
        "outcome": "refused",
        **fields,
    }


def _promise(amount: int, due: int, **fields: Any) -> dict:
    return _contact(
        outcome="promise_to_pay", promise={"amount": lkr(amount), "due_date": day(due)}, **fields
    )


def _at(days: float) -> str:
    return (datetime.now(UTC) + timedelta(days=days)).isoformat()


def _only_json_and_timestamps(value: Any) -> None:
    """What Firestore stores: JSON values, and date-times as aware datetimes."""
    if isinstance(value, dict):
        assert all(type(k) is str for k in value)
        for item in value.values():
            _only_json_and_timestamps(item)
    elif isinstance(value, list):
        for item in value:
            _only_json_and_timestamps(item)
    elif isinstance(value, datetime):
        assert value.tzinfo is not None
    else:
        assert value is None or type(value) in (str, int, float, bool), repr(value)


def _schema_keys(stem: str) -> set[str]:
    schema = json.loads((FIRESTORE / f"{stem}.json").read_text())
    assert set(schema["required"]) == set(schema["properties"])
    return set(schema["properties"])


async def test_a_case_document_has_every_part(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer, arrears=150_000)
    path = f"/cases/{case.id}"
    serial = case.cpe_items[0].serial
    await _post(client, signing_key, officer, f"{path}/negotiations", _contact(channel="visit"))
    promised = await _post(
        client, signing_key, officer, f"{path}/negotiations", _promise(50_000, 3, notes="payday")
    )
    await _post(
        client, signing_key, officer, f"{path}/cpe/items", {**_item(serial), "condition": "ok"}
    )
    asked = await _post(
        client, signing_key, officer, f"{path}/requests", {"type": "other", "details": "letter"}
    )
    response = await settle(client, signing_key, officer, case, plan(60_000, 90_000))
    assert response.status_code == 201, response.text
    settlement = response.json()

    documents = await mirror.CASE_DOCUMENTS.build([str(case.id), str(ObjectId())])
    assert list(documents) == [str(case.id)]  # an unknown id is simply absent
    doc = documents[str(case.id)]
    assert (doc.phase, doc.ro_id, doc.drc_id) == (Phase.SETTLEMENT, officer.id, officer.drc_id)
    assert doc.outstanding == Money(amount=150_000) and doc.overdue_since is not None
    assert doc.version > 1 and doc.updated_at.tzinfo is not None

    assert doc.customer is not None and doc.customer.id == case.customer_id
    [phone] = doc.customer.contacts
    assert phone.kind == "mobile" and phone.primary and not phone.verified
    assert doc.customer.version == 1 and doc.customer.disputed is False
    assert [(p.id, p.arrears.amount) for p in doc.products] == [(case.product_ids[0], 150_000)]
    [item] = doc.cpe_items
    assert (item.serial, item.status, item.condition) == (serial, "collected", "ok")

    history = doc.negotiations
    assert history.count == 2 and history.last_outcome == "promise_to_pay"
    assert history.recent[0].id == promised["id"]
    assert history.recent[0].promised == Money(amount=50_000)
    assert history.recent[0].notes == "payday" and history.recent[1].channel == "visit"
    [promise] = doc.promises
    assert promise.amount.amount == 50_000 and promise.paid.amount == 0
    assert promise.due_date == date.fromisoformat(day(3))

    assert doc.settlement is not None and doc.settlement.id == settlement["id"]
    assert [
        (i.number, i.amount.amount, i.paid.amount, i.status) for i in doc.settlement.instalments
    ] == [
        (1, 60_000, 0, "pending"),
        (2, 90_000, 0, "pending"),
    ]
    assert doc.settlement.instalments[0].due_date == date.fromisoformat(day(10))
    [request] = doc.requests
    assert (request.id, request.type, request.details) == (asked["id"], "other", "letter")
    assert doc.mediation is None

    stored = doc.firestore()
    _only_json_and_timestamps(stored)
    assert set(stored) == _schema_keys("case")
    assert stored["settlement"]["instalments"][0]["due_date"] == day(10)
    assert stored["outstanding"] == {"amount": 150_000, "currency": "LKR"}
    assert isinstance(stored["updated_at"], datetime)

    # Each section built alone is what the whole document holds, beside the case's own fields.
    own = set(stored) - {s.value for s in Section}
    for section in set(Section) - {Section.CASE}:
        wanted = {str(case.id): frozenset({Section.CASE, section})}
        [part] = (await mirror.CASE_DOCUMENTS.build_sections(wanted)).values()
        fields = part.firestore()
        assert set(fields) == own | {section.value} and not part.whole
        assert fields == {key: stored[key] for key in fields}


def _item(serial: str) -> dict:
    return {"serial": serial, "status": "collected", "collected_at": _at(-0.01)}


async def test_the_mediation_schedule_is_in_the_document(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer)
    path = f"/cases/{case.id}/mediation"
    await _post(
        client,
        signing_key,
        officer,
        path,
        {"reason": "refuses every plan", "first_hearing_at": _at(1)},
    )
    hearing = {
        "held_at": _at(-0.1),
        "attendance": "present",
        "outcome": "adjourned",
        "next_hearing_at": _at(14),
    }
    await _post(client, signing_key, officer, f"{path}/hearings", hearing)

    doc = (await mirror.CASE_DOCUMENTS.build([str(case.id)]))[str(case.id)]
    board = doc.mediation
    assert board is not None and board.hearings == 1 and board.last_outcome == "adjourned"
    assert board.next_hearing_at is not None
    assert abs(
        board.next_hearing_at - datetime.fromisoformat(hearing["next_hearing_at"])
    ) < timedelta(seconds=1)
    assert board.recommendation is None and doc.phase == Phase.MEDIATION


class _Queries:
    """Counts the reads sent to MongoDB, on any collection or the database itself."""

    METHODS = (
        (AsyncCollection, ("find", "find_one", "aggregate", "count_documents", "distinct")),
        (AsyncDatabase, ("aggregate", "command")),
    )

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[str] = []
        for owner, names in self.METHODS:
            for name in names:
                original = getattr(owner, name)
                monkeypatch.setattr(owner, name, self._counting(name, original))

    def _counting(self, name: str, original):
        def counted(target, *args, **kwargs):
            self.calls.append(f"{target.name}.{name}")
            return original(target, *args, **kwargs)

        return counted


async def test_a_batch_costs_the_same_queries_for_5_or_50_cases(monkeypatch):
    officer = await make_user(Role.RECOVERY_OFFICER)
    ids = []
    for n in range(50):
        case = await make_case("negotiation", ro=officer)
        ids.append(str(case.id))
        data = NegotiationCreate.model_validate(_promise(1_000 + n, 5 + n % 7))
        await negotiations.record_negotiation(actor=officer, case=case, data=data)
    queries = _Queries(monkeypatch)
    few = await mirror.CASE_DOCUMENTS.build(ids[:5])
    cost_of_few = list(queries.calls)
    queries.calls.clear()
    many = await mirror.CASE_DOCUMENTS.build(ids)
    assert len(few) == 5 and len(many) == 50
    # cases, then one read per collection kept beside them (contacts are counted on the case)
    assert len(cost_of_few) == 9
    assert sorted(queries.calls) == sorted(cost_of_few)
    assert all(d.negotiations.count == 1 and len(d.promises) == 1 for d in many.values())


async def test_a_section_no_case_wants_costs_no_query(monkeypatch):
    officer = await make_user(Role.RECOVERY_OFFICER)
    first, second = [str((await make_case("assigned", ro=officer)).id) for _ in range(2)]
    wanted = {
        first: frozenset({Section.PROMISES}),
        second: frozenset({Section.CASE, Section.REQUESTS}),
    }
    queries = _Queries(monkeypatch)
    built = await mirror.CASE_DOCUMENTS.build_sections(wanted)
    assert len(queries.calls) == 3  # the cases, promises, requests
    own = set(projections.CaseFields.model_fields)
    assert set(built[first].fields) == own | {"promises"}
    assert set(built[second].fields) == own | {"requests"}


def test_each_section_beside_the_case_is_built_once():
    sections = list(CASE_SECTIONS)
    for wrong in (sections[1:], [*sections, sections[0]]):
        with pytest.raises(ValueError):
            projections.CaseDocuments(wrong)


async def _closed_with_follow_up_past(officer) -> None:
    case = await make_case("negotiation", ro=officer)
    async with db.transaction() as session:
        await cases.move(
            actor=None,
            case=case,
            to=Phase.CLOSED,
            action="test.close",
            changes={"next_follow_up": datetime.now(UTC) - timedelta(days=1)},
            session=session,
        )


async def test_officer_and_drc_summaries_count(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    colleague = await make_user(Role.RECOVERY_OFFICER, drc_id=officer.drc_id)
    due_today = await make_case("assigned", ro=officer)
    later = await make_case("assigned", ro=officer)
    heard = await make_case("negotiation", ro=officer)
    await make_case("assigned", ro=officer)
    await _closed_with_follow_up_past(officer)  # counted as closed, its follow-up is not due
    theirs = await make_case("assigned", ro=colleague)
    await make_case("allocated", drc_id=officer.drc_id)
    await make_case("negotiation")  # another DRC
    # A promise due today also makes today the follow-up, which is due by now.
    await _post(
        client, signing_key, officer, f"/cases/{due_today.id}/negotiations", _promise(1_000, 0)
    )
    await _post(
        client,
        signing_key,
        officer,
        f"/cases/{later.id}/negotiations",
        _contact(next_follow_up=_at(2)),
    )
    await _post(
        client, signing_key, colleague, f"/cases/{theirs.id}/negotiations", _promise(1_000, 0)
    )
    first_hearing = _at(5)
    await _post(
        client,
        signing_key,
        officer,
        f"/cases/{heard.id}/mediation",
        {"reason": "refuses every plan", "first_hearing_at": first_hearing},
    )

    mine = await projections.officer_summary(officer.id)
    assert {p: n for p, n in mine.counts.items() if n} == {
        Phase.ASSIGNED: 1,
        Phase.NEGOTIATION: 2,
        Phase.MEDIATION: 1,
        Phase.CLOSED: 1,
    }
    assert mine.open == 4 and mine.follow_ups_due == 1 and mine.promises_due_today == 1
    assert mine.next_hearing is not None and mine.next_hearing.case_id == str(heard.id)
    assert abs(mine.next_hearing.at - datetime.fromisoformat(first_hearing)) < timedelta(seconds=1)
    stored = mine.firestore()
    _only_json_and_timestamps(stored)
    assert set(stored) == _schema_keys("officer_summary")
    assert stored["counts"]["negotiation"] == 2 and stored["counts"]["closed"] == 1

    drc = await projections.drc_summary(officer.drc_id)
    assert {p: n for p, n in drc.counts.items() if n} == {
        Phase.ALLOCATED: 1,
        Phase.ASSIGNED: 1,
        Phase.NEGOTIATION: 3,
        Phase.MEDIATION: 1,
        Phase.CLOSED: 1,
    }
    assert drc.open == 6 and set(drc.officers) == {officer.id, colleague.id}
    assert drc.officers[officer.id].counts == mine.counts and drc.officers[officer.id].open == 4
    assert drc.officers[colleague.id].open == 1
    assert drc.officers[colleague.id].counts[Phase.NEGOTIATION] == 1
    stored = drc.firestore()
    _only_json_and_timestamps(stored)
    assert set(stored) == _schema_keys("drc_summary")
    assert mine.version <= drc.version  # built later, never older


async def test_outcomes_of_pushed_mutations(client, signing_key):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("assigned", ro=officer)
    phone = Device(officer)
    good = phone.negotiation(str(case.id))
    bad = phone.negotiation(str(case.id), contacted_at=_at(1))
    await push_ok(client, signing_key, officer, [good, bad])
    applied = await MutationRecord.get(f"{phone.client_id}:{good['mutation_id']}")
    rejected = await MutationRecord.get(f"{phone.client_id}:{bad['mutation_id']}")

    doc = outcome_document(applied)
    assert (doc.status, doc.code, doc.review_open, doc.version) == ("applied", None, False, 1)
    assert doc.entity == f"case:{case.id}" and doc.server_version is not None
    assert doc.name == "negotiation.record" and doc.updated_at == doc.at == applied.at
    doc = outcome_document(rejected)
    assert doc.status == "rejected" and doc.review_open
    assert doc.code == "negotiation.contacted_at_invalid" and doc.message

    dismissed = rejected.model_copy(
        update={"review": Review(status="dismissed", by="sup-1", note="wrong day")}
    )
    doc = outcome_document(dismissed)
    assert (doc.status, doc.review_open, doc.review_note, doc.version) == (
        "dismissed",
        False,
        "wrong day",
        2,
    )
    assert doc.updated_at == dismissed.review.at > doc.at
    stored = doc.firestore()
    _only_json_and_timestamps(stored)
    assert set(stored) == _schema_keys("outcome")


def _record(status: Status, *resolutions: Resolution, review: Review | None = None):
    result = Result(
        client_id="dev-0001",
        mutation_id=7,
        status=status,
        resolutions=list(resolutions),
        review_id="r1" if status is not Status.APPLIED else None,
    )
    return MutationRecord(
        id="dev-0001:7",
        client_id="dev-0001",
        mutation_id=7,
        uid="u1",
        name="customer.update_contact",
        result=result,
        review=review,
    )


def _clash(winner: Winner) -> Resolution:
    return Resolution(
        field="value", rule=Rule.MANUAL, winner=winner, client_value="a", server_value="b"
    )


@pytest.mark.parametrize(
    ("answer", "resolutions", "review", "status", "held"),
    [
        (Status.APPLIED, [], None, OutcomeStatus.APPLIED, False),
        (Status.MERGED, [Winner.SERVER], None, OutcomeStatus.MERGED, False),
        (Status.MERGED, [Winner.CLIENT, Winner.PENDING], None, OutcomeStatus.IN_REVIEW, True),
        (Status.QUARANTINED, [], None, OutcomeStatus.QUARANTINED, True),
        (Status.QUARANTINED, [], "reapplied", OutcomeStatus.REAPPLIED, False),
        (Status.RETRY, [], None, OutcomeStatus.PENDING, False),
    ],
)
def test_outcome_statuses(answer, resolutions, review, status, held):
    clashes = [_clash(winner) for winner in resolutions]
    decided = Review(status=review, by="sup-1") if review else None
    doc = outcome_document(_record(answer, *clashes, review=decided))
    assert doc.status is status and doc.review_open is held
    assert doc.resolutions == clashes


async def _logged(after: int = 0):
    await changelog.sequence_all()
    return await changelog.read(since=after, audience=None, limit=500)


async def test_the_mirror_holds_a_busy_summary_back_and_never_drops_it():
    officer = await make_user(Role.RECOVERY_OFFICER)
    summary = mirror.officer_summary_path(officer.id)
    await make_case("negotiation", ro=officer)
    planner = mirror.Planner(summary_every=60)
    entries = await _logged()
    assert summary in {w.path for w in await planner(entries)}  # a new planner: every summary

    second = await make_case("negotiation", ro=officer)
    writes = {w.path: w for w in await planner(await _logged(after=entries[-1].id))}
    assert mirror.case_path(officer.id, str(second.id)) in writes  # cases never wait
    assert summary not in writes  # built under a minute ago: held back
    assert await planner([]) == []  # an empty log, still within the minute

    planner.built.clear()  # the minute passes
    held = {w.path: w for w in await planner([])}
    assert held[summary].data is not None and held[summary].data["open"] == 2
    assert await planner([]) == []  # written once
