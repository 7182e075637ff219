"""Property tests of offline sync: phones with random offline queues, supervisors editing
the same cases meanwhile, batches delivered in any order, split, duplicated and replayed.

Each example builds a DRC with 2-4 officers (some with two phones), one case per officer
(and maybe one more), each case with one CPE item and three customer contacts, and a
random queue per phone of
`negotiation.record` (append-only), `cpe.record_item` (forward-only) and
`customer.update_contact` (field merge) mutations. The delivery plan interleaves pushes
(random subsets in random order, with duplicates, over HTTP or straight to the service),
the same batch sent twice at once, replays of earlier batches, reassignments and direct
contact edits by the supervisor.
A final drain resends, per phone, every mutation not yet answered for good, until none
is `retry`.

The test keeps a model of who holds each case and of each CPE item's state, and checks
every first answer against it as it arrives, then the stored state at the end.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.allocation import assignment
from backend.allocation.schemas import AssignmentCreate
from backend.cases import service as cases
from backend.core import db
from backend.cpe.models import RANK, CpeCollection, ItemStatus
from backend.cpe.schemas import RecordedStatus
from backend.customers import service as customers
from backend.customers.models import ContactKind, Customer
from backend.customers.schemas import ContactAdd, ContactEdit, ContactRemove, ContactsUpdate
from backend.negotiations.models import Negotiation
from backend.syncing import service as syncing
from backend.users.models import Role, User
from sync.models import InboxItem, MutationRecord, SyncClient
from sync.protocol import Mutation, Result
from tests.backend.syncing.helpers import Device, push_ok
from tests.factories import make_case, make_drc, make_user

EXAMPLES = int(os.environ.get("SYNC_PROPERTY_EXAMPLES", "30"))
RUNS: list[dict[str, int]] = []  # one entry per example actually run, for the summary
_unique = itertools.count(1)

SETTLED = ("applied", "merged")
KEPT = ("rejected", "quarantined")


# --- What hypothesis draws ---------------------------------------------------------------


@dataclass(frozen=True)
class Negotiate:
    case: int
    future: bool  # contacted_at a day ahead: the domain rejects it


@dataclass(frozen=True)
class RecordCpe:
    case: int
    status: RecordedStatus
    future: bool  # collected_at a day ahead: the domain rejects it


@dataclass(frozen=True)
class EditContacts:
    case: int
    base_shift: int  # base_version = the customer's version after setup + shift
    # (op, index of a setup contact); op: value|primary|unprimary|remove|add
    changes: tuple[tuple[str, int], ...]


Op = Negotiate | RecordCpe | EditContacts


@dataclass(frozen=True)
class Push:
    device: int
    picks: tuple[int, ...]  # indexes into the phone's queue (mod its length): any order, repeats
    http: bool


@dataclass(frozen=True)
class InFlight:
    device: int
    picks: tuple[int, ...]  # sent twice at once, as a phone retrying a slow request would


@dataclass(frozen=True)
class Replay:
    which: int  # an earlier batch (mod their number), sent again as it was


@dataclass(frozen=True)
class Reassign:
    case: int
    officer: int


@dataclass(frozen=True)
class SupervisorContacts:
    case: int
    changes: tuple[tuple[str, int], ...]  # (op, contact index); op: value|primary|remove|add


Step = Push | InFlight | Replay | Reassign | SupervisorContacts


@dataclass(frozen=True)
class Scenario:
    officers: int
    device_owners: tuple[int, ...]  # officer index of each phone
    holders: tuple[int, ...]  # officer index initially holding each case
    queues: tuple[tuple[Op, ...], ...]  # per phone
    steps: tuple[Step, ...]
    drain_order: tuple[int, ...]  # phones, in the order they come back online at the end
    skews: tuple[int, ...]  # each phone's clock, seconds off the server's


def _ops(cases_: int, own: list[int]) -> st.SearchStrategy[Op]:
    # Mostly the officer's own cases; sometimes any (a case the phone still shows).
    anyone = st.integers(0, cases_ - 1)
    case = st.one_of(*[st.sampled_from(own)] * 4, anyone) if own else anyone
    rare = st.integers(0, 9).map(lambda n: n == 0)
    contact_change = st.tuples(
        st.sampled_from(["value", "primary", "unprimary", "remove"]), st.integers(0, 2)
    )
    edits = st.lists(contact_change, max_size=2, unique_by=lambda c: c[1]).flatmap(
        lambda changes: st.booleans().map(
            lambda add: tuple(changes) + ((("add", 0),) if add or not changes else ())
        )
    )
    return st.one_of(
        st.builds(Negotiate, case, rare),
        st.builds(RecordCpe, case, st.sampled_from(list(RecordedStatus)), rare),
        st.builds(EditContacts, case, st.integers(-1, 2), edits),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    officers = draw(st.integers(2, 4))
    owners = tuple(
        o for o in range(officers) for _ in range(draw(st.integers(1, 2), label=f"phones of {o}"))
    )
    # Every officer starts with a case of their own; one may start with two.
    holders = tuple(draw(st.permutations(range(officers)))) + tuple(
        draw(st.lists(st.integers(0, officers - 1), max_size=1))
    )
    queues = tuple(
        tuple(
            draw(
                st.lists(
                    _ops(len(holders), [c for c, h in enumerate(holders) if h == owner]),
                    min_size=1,
                    max_size=6,
                )
            )
        )
        for owner in owners
    )
    supervisor_change = st.tuples(
        st.sampled_from(["value", "primary", "remove", "add"]), st.integers(0, 5)
    )
    push = st.builds(
        Push,
        st.integers(0, len(owners) - 1),
        st.lists(st.integers(0, 5), min_size=1, max_size=8).map(tuple),
        st.booleans(),
    )
    edit = st.builds(
        SupervisorContacts,
        st.integers(0, len(holders) - 1),
        st.lists(supervisor_change, min_size=1, max_size=2).map(tuple),
    )
    # Weighted by repetition: phones push far more often than supervisors reassign.
    step = st.one_of(
        push,
        push,
        push,
        push,
        edit,
        edit,
        st.builds(Replay, st.integers(0, 20)),
        st.builds(
            InFlight,
            st.integers(0, len(owners) - 1),
            st.lists(st.integers(0, 5), min_size=1, max_size=8).map(tuple),
        ),
        st.builds(Reassign, st.integers(0, len(holders) - 1), st.integers(0, officers - 1)),
    )
    steps = tuple(draw(st.lists(step, max_size=16)))
    drain_order = tuple(draw(st.permutations(range(len(owners)))))
    skews = tuple(draw(st.integers(-120, 120), label="clock skew") for _ in owners)
    return Scenario(officers, owners, holders, queues, steps, drain_order, skews)


# --- The world one example runs in -------------------------------------------------------


@dataclass
class Phone:
    officer: int
    device: Device
    ops: list[Op]
    mutations: list[dict[str, Any]] = field(default_factory=list)
    last: dict[int, dict[str, Any]] = field(default_factory=dict)  # last answer per mutation id
    first: dict[int, dict[str, Any]] = field(default_factory=dict)  # first non-retry answer


@dataclass
class CaseState:
    id: str
    customer_id: str
    serial: str
    contacts: list[tuple[str, ContactKind]]  # the three contacts after setup
    holder: int
    cpe: ItemStatus = ItemStatus.OPEN  # the model of the item's status
    cpe_applied: list[ItemStatus] = field(default_factory=list)  # in the order applied


def _contact_value(kind: ContactKind) -> str:
    """A value of `kind` no one has used yet."""
    n = next(_unique)
    return f"+9470{n:07d}" if kind is not ContactKind.EMAIL else f"p{n}@example.com"


class World:
    def __init__(self, http: Any, key: Any) -> None:
        self.http, self.key = http, key
        self.officers: list[User] = []
        self.supervisor: User
        self.cases: list[CaseState] = []
        self.phones: list[Phone] = []
        self.batches: list[tuple[Phone, list[dict[str, Any]], bool]] = []
        self.base_version = 0
        self.t0 = datetime.now(UTC)
        self.pushes = 0
        self.races = 0  # answers `retry` because the same mutation was in flight twice

    async def setup(self, scenario: Scenario) -> None:
        drc = await make_drc()
        self.supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=drc.id)
        self.officers = [
            await make_user(Role.RECOVERY_OFFICER, drc_id=drc.id) for _ in range(scenario.officers)
        ]
        for holder in scenario.holders:
            case = await make_case("assigned", ro=self.officers[holder])
            customer = await Customer.get(case.customer_id)
            assert customer is not None
            updated = await customers.update_contacts(
                actor=self.supervisor,
                case=case,
                data=ContactsUpdate(
                    base_version=customer.version,
                    changes=[
                        ContactAdd(
                            op="add",
                            kind=ContactKind.MOBILE,
                            value=_contact_value(ContactKind.MOBILE),
                        ),
                        ContactAdd(
                            op="add",
                            kind=ContactKind.EMAIL,
                            value=_contact_value(ContactKind.EMAIL),
                        ),
                    ],
                ),
            )
            self.base_version = updated.version
            self.cases.append(
                CaseState(
                    id=str(case.id),
                    customer_id=case.customer_id,
                    serial=case.cpe_items[0].serial,
                    contacts=[(c.id, c.kind) for c in updated.contacts],
                    holder=holder,
                )
            )
        self.t0 = datetime.now(UTC)
        phones = zip(scenario.device_owners, scenario.queues, scenario.skews, strict=True)
        for owner, ops, seconds in phones:
            phone = Phone(owner, Device(self.officers[owner]), list(ops))
            skew = timedelta(seconds=seconds)
            for op in ops:
                at = self.t0 + skew + timedelta(seconds=phone.device.next_id)
                phone.mutations.append(self._mutation(phone, op, at))
            self.phones.append(phone)

    def _mutation(self, phone: Phone, op: Op, at: datetime) -> dict[str, Any]:
        case = self.cases[op.case]
        later = at + timedelta(days=1)
        if isinstance(op, Negotiate):
            marker = f"marker {phone.device.client_id}:{phone.device.next_id}"
            args = {
                "case_id": case.id,
                "contacted_at": (later if op.future else at - timedelta(seconds=30)).isoformat(),
                "channel": "call",
                "result": "reached",
                "outcome": "refused",
                "notes": marker,
            }
            return phone.device.mutation("negotiation.record", args, device_time=at)
        if isinstance(op, RecordCpe):
            args = {
                "case_id": case.id,
                "serial": case.serial,
                "status": op.status.value,
                "collected_at": (later if op.future else at).isoformat(),
            }
            return phone.device.mutation("cpe.record_item", args, device_time=at)
        changes: list[dict[str, Any]] = []
        for kind, index in op.changes:
            contact, contact_kind = case.contacts[index]
            if kind == "value":
                changes.append(
                    {"op": "update", "id": contact, "value": _contact_value(contact_kind)}
                )
            elif kind in ("primary", "unprimary"):
                changes.append({"op": "update", "id": contact, "primary": kind == "primary"})
            elif kind == "remove":
                changes.append({"op": "remove", "id": contact})
            else:
                changes.append(
                    {"op": "add", "kind": "mobile", "value": _contact_value(ContactKind.MOBILE)}
                )
        return phone.device.mutation(
            "customer.update_contact",
            {"case_id": case.id, "changes": changes},
            base_version=max(0, self.base_version + op.base_shift),
            device_time=at,
        )

    # --- delivery -------------------------------------------------------------------

    async def send(self, phone: Phone, batch: list[dict[str, Any]], http: bool) -> None:
        self.batches.append((phone, batch, http))
        answers = await self._post(phone, batch, http)
        self._absorb(phone, [(batch, answers)], in_flight=False)

    async def send_twice(self, phone: Phone, batch: list[dict[str, Any]]) -> None:
        """The phone sends the batch again while the first request is still in flight."""
        self.batches.append((phone, batch, True))
        both = await asyncio.gather(
            self._post(phone, batch, True), self._post(phone, list(reversed(batch)), False)
        )
        self._absorb(phone, [(batch, both[0]), (list(reversed(batch)), both[1])], in_flight=True)

    async def _post(self, phone: Phone, batch: list[dict[str, Any]], http: bool) -> list[dict]:
        self.pushes += 1
        if http:
            answers = await push_ok(self.http, self.key, phone.device.user, batch)
        else:
            results = await syncing.push(
                actor=phone.device.user, batch=[Mutation.model_validate(m) for m in batch]
            )
            answers = [r.model_dump(mode="json") for r in results]
        assert len(answers) == len(batch)
        return answers

    def _absorb(
        self, phone: Phone, sent: list[tuple[list[dict], list[dict]]], *, in_flight: bool
    ) -> None:
        fresh: dict[int, dict[str, Any]] = {}
        for batch, answers in sent:
            for mutation, answer in zip(batch, answers, strict=True):
                mid = mutation["mutation_id"]
                assert (answer["client_id"], answer["mutation_id"]) == (
                    phone.device.client_id,
                    mid,
                )
                phone.last[mid] = answer
                known = phone.first.get(mid) or fresh.get(mid)
                if known is not None:
                    # A replay, or the same mutation twice in one batch: the very same answer.
                    assert answer == known, f"replay of {mid} answered differently"
                elif answer["status"] != "retry":
                    fresh[mid] = answer
        for mid in sorted(fresh):  # the engine applies one client's mutations in id order
            self.check_first_answer(phone, mid, fresh[mid])
            phone.first[mid] = fresh[mid]
        for batch, answers in sent:
            for mutation, answer in zip(batch, answers, strict=True):
                if answer["status"] != "retry":
                    continue
                if in_flight and answer["code"] == "sync.unavailable":
                    self.races += 1
                    continue  # lost the race to the other request: transient, sent again later
                # Otherwise only a gap is transient: an earlier mutation is still missing.
                assert answer["code"] == "sync.mutation_gap", answer
                if not in_flight:
                    earlier = range(1, mutation["mutation_id"])
                    assert any(m not in phone.first for m in earlier), answer

    def check_first_answer(self, phone: Phone, mid: int, answer: dict[str, Any]) -> None:
        """The answer the model predicts for a mutation applied now."""
        op = phone.ops[mid - 1]
        case = self.cases[op.case]
        status, code = answer["status"], answer["code"]
        if case.holder != phone.officer:
            assert (status, code) == ("quarantined", "sync.not_holder"), answer
            assert answer["entity"] == f"case:{case.id}", answer
            return
        if not isinstance(op, EditContacts):
            assert answer["entity"] == f"case:{case.id}", answer
        if isinstance(op, Negotiate):
            expected = (
                ("rejected", "negotiation.contacted_at_invalid") if op.future else ("applied", None)
            )
            assert (status, code) == expected, answer
        elif isinstance(op, RecordCpe):
            wanted = ItemStatus(op.status.value)
            if op.future:
                assert (status, code) == ("rejected", "request.device_time_in_future"), answer
            elif RANK[wanted] >= RANK[case.cpe]:
                assert (status, answer["resolutions"]) == ("applied", []), answer
                case.cpe = wanted
                case.cpe_applied.append(wanted)
            else:
                assert status == "merged", answer
                assert answer["resolutions"] == [
                    {
                        "field": f"cpe.{case.serial}.status",
                        "rule": "furthest",
                        "winner": "server",
                        "client_value": wanted.value,
                        "server_value": case.cpe.value,
                    }
                ], answer
        elif status == "rejected":
            # A base_version the server never issued (ahead of the customer) is refused.
            assert code == "customer.base_version_unknown" and op.base_shift > 0, answer
        else:
            assert status in SETTLED, answer
            assert answer["entity"] == f"customer:{case.customer_id}", answer
            assert (status == "merged") == bool(answer["resolutions"]), answer
            self._check_contact_rules(phone.mutations[mid - 1], answer["resolutions"])

    @staticmethod
    def _check_contact_rules(mutation: dict[str, Any], resolutions: list[dict]) -> None:
        """Each clash names a contact the mutation changed and is settled by its field's
        rule: value by later device time, primary by the server, remove-vs-edit by hand."""
        changed = {c["id"]: c for c in mutation["args"]["changes"] if "id" in c}
        for resolution in resolutions:
            _, contact, *rest = resolution["field"].split(".")
            change = changed[contact]
            rule, winner = resolution["rule"], resolution["winner"]
            if not rest:
                assert (rule, winner) == ("manual", "pending"), resolution
            elif rest == ["value"]:
                assert rule == "later_device_time" and winner in ("client", "server")
                assert resolution["client_value"] == change["value"], resolution
            else:
                assert rest == ["primary"], resolution
                assert (rule, winner) == ("server_wins", "server"), resolution
                assert resolution["client_value"] == change["primary"], resolution

    async def run(self, step: Step) -> None:
        if isinstance(step, Push):
            phone = self.phones[step.device]
            batch = [phone.mutations[i % len(phone.mutations)] for i in step.picks]
            await self.send(phone, batch, step.http)
        elif isinstance(step, InFlight):
            phone = self.phones[step.device]
            await self.send_twice(
                phone, [phone.mutations[i % len(phone.mutations)] for i in step.picks]
            )
        elif isinstance(step, Replay):
            if self.batches:
                phone, batch, http = self.batches[step.which % len(self.batches)]
                await self.send(phone, list(batch), not http)
        elif isinstance(step, Reassign):
            case = self.cases[step.case]
            stored = await cases.get_unscoped(case.id)
            assert stored is not None
            await assignment.assign(
                actor=self.supervisor,
                case=stored,
                data=AssignmentCreate(ro_id=self.officers[step.officer].id),
            )
            case.holder = step.officer
        else:
            await self.supervisor_contacts(step)

    async def supervisor_contacts(self, step: SupervisorContacts) -> None:
        """The supervisor edits the contacts directly (not through sync): values and
        removals only of the setup contacts, so the phones' additions stay as added."""
        state = self.cases[step.case]
        customer = await Customer.get(state.customer_id)
        assert customer is not None
        setup_ids = {contact for contact, _ in state.contacts}
        present = [c for c in customer.contacts if c.id in setup_ids]
        changes: list[Any] = []
        touched: set[str] = set()
        for kind, index in step.changes:
            if kind == "add" or not present:
                changes.append(
                    ContactAdd(
                        op="add", kind=ContactKind.MOBILE, value=_contact_value(ContactKind.MOBILE)
                    )
                )
                continue
            contact = present[index % len(present)]
            if contact.id in touched:
                continue
            touched.add(contact.id)
            if kind == "value":
                changes.append(
                    ContactEdit(op="update", id=contact.id, value=_contact_value(contact.kind))
                )
            elif kind == "primary":
                changes.append(ContactEdit(op="update", id=contact.id, primary=True))
            else:
                changes.append(ContactRemove(op="remove", id=contact.id))
        case = await cases.get_unscoped(state.id)
        assert case is not None
        await customers.update_contacts(
            actor=self.supervisor,
            case=case,
            data=ContactsUpdate(base_version=customer.version, changes=changes),
        )

    async def drain(self, order: tuple[int, ...]) -> None:
        """Each phone comes back online and sends what has no final answer yet, in
        queue order, until every mutation has one."""
        for _ in range(3):
            for index in order:
                phone = self.phones[index]
                pending = [m for m in phone.mutations if m["mutation_id"] not in phone.first]
                if pending:
                    await self.send(phone, pending, http=index % 2 == 0)
        for phone in self.phones:
            assert len(phone.first) == len(phone.mutations), "mutations still retry after drain"
            assert all(phone.last[m]["status"] != "retry" for m in phone.first)

    # --- what must hold at the end ------------------------------------------------------

    async def verify(self) -> dict[str, int]:
        counts = dict.fromkeys(("applied", "merged", "rejected", "quarantined"), 0)
        kept = 0
        for phone in self.phones:
            ledger = await SyncClient.get(phone.device.client_id)
            assert ledger is not None and ledger.last_mutation_id == len(phone.mutations)
            records = {
                r.mutation_id: r
                for r in await MutationRecord.find({"client_id": phone.device.client_id}).to_list()
            }
            assert sorted(records) == [m["mutation_id"] for m in phone.mutations]
            for mutation in phone.mutations:
                mid = mutation["mutation_id"]
                answer = phone.first[mid]
                counts[answer["status"]] += 1
                # The stored result is the answer given.
                assert records[mid].result == Result.model_validate(answer)
                assert records[mid].uid == phone.device.user.id
                kept += await self._check_kept(phone, mutation, answer)
                if mutation["name"] == "negotiation.record":
                    # Append-only: one record per settled mutation, none for a refused one.
                    stored = await Negotiation.find({"notes": mutation["args"]["notes"]}).count()
                    assert stored == (1 if answer["status"] in SETTLED else 0), (mutation, answer)
        assert await InboxItem.find_all().count() == kept
        assert await MutationRecord.find_all().count() == sum(len(p.mutations) for p in self.phones)
        applied_records = sum(
            1
            for p in self.phones
            for m in p.mutations
            if m["name"] == "negotiation.record" and p.first[m["mutation_id"]]["status"] in SETTLED
        )
        assert await Negotiation.find_all().count() == applied_records
        for case in self.cases:
            await self._check_cpe(case)
            await self._check_contacts(case)
        return counts

    async def _check_kept(self, phone: Phone, mutation: dict[str, Any], answer: dict) -> int:
        """Every mutation not simply applied is in the review inbox with its payload."""
        status = answer["status"]
        if status == "applied":
            assert answer["review_id"] is None
            found = await InboxItem.find(
                {"client_id": phone.device.client_id, "mutation_id": mutation["mutation_id"]}
            ).count()
            assert found == 0
            return 0
        assert answer["review_id"] is not None, answer
        item = await InboxItem.get(answer["review_id"])
        assert item is not None, answer
        assert (item.client_id, item.mutation_id, item.uid) == (
            phone.device.client_id,
            mutation["mutation_id"],
            phone.device.user.id,
        )
        assert (item.name, item.args, item.base_version) == (
            mutation["name"],
            mutation["args"],
            mutation["base_version"],
        )
        assert item.entity == answer["entity"]
        if status in KEPT:
            assert (item.kind.value, item.status.value, item.code) == (
                status,
                "open",
                answer["code"],
            )
        else:
            pending = any(r["winner"] == "pending" for r in answer["resolutions"])
            assert item.kind.value == "conflict"
            assert item.status.value == ("open" if pending else "resolved")
            assert [r.model_dump(mode="json") for r in item.resolutions] == answer["resolutions"]
        return 1

    async def _check_cpe(self, case: CaseState) -> None:
        """Forward-only: the item is at the furthest state applied to it (of two equally
        far, the later one: an officer may correct damaged/collected)."""
        collection = await CpeCollection.get(case.id)
        item = collection.item(case.serial) if collection else None
        stored = item.status if item else ItemStatus.OPEN
        furthest = ItemStatus.OPEN
        for status in case.cpe_applied:
            if RANK[status] >= RANK[furthest]:
                furthest = status
        assert stored == furthest == case.cpe, (case.cpe_applied, stored)
        assert RANK[stored] == max((RANK[s] for s in case.cpe_applied), default=0)
        # Each applied recording is in the history once; a merged one is not.
        assert [e.status for e in (item.history if item else [])] == case.cpe_applied

    async def _check_contacts(self, case: CaseState) -> None:
        customer = await Customer.get(case.customer_id)
        assert customer is not None
        values = [c.value for c in customer.contacts]
        primaries = [c.kind for c in customer.contacts if c.primary]
        assert len(primaries) == len(set(primaries)), "two primaries of one kind"
        for phone in self.phones:
            for mutation in phone.mutations:
                if mutation["name"] != "customer.update_contact":
                    continue
                if mutation["args"]["case_id"] != case.id:
                    continue
                settled = phone.first[mutation["mutation_id"]]["status"] in SETTLED
                for change in mutation["args"]["changes"]:
                    if change["op"] == "add":
                        # Nothing removes a phone's addition: present once iff it was applied.
                        assert values.count(change["value"]) == (1 if settled else 0), change
                    elif change["op"] == "update" and "value" in change and not settled:
                        assert change["value"] not in values, change


async def _clear(app: FastAPI) -> None:
    """What tests/conftest.py `_isolate` does after each test, for each example."""
    resources = app.state.resources
    database = db.bound_client()[resources.settings.mongo.database]
    for name in await database.list_collection_names():
        await database[name].delete_many({})
    await resources.redis.flushdb()


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
async def test_any_delivery_order_applies_each_mutation_once(
    scenario: Scenario, app: FastAPI, client, signing_key
) -> None:
    started = time.monotonic()
    await _clear(app)
    world = World(client, signing_key)
    await world.setup(scenario)
    for step in scenario.steps:
        await world.run(step)
    await world.drain(scenario.drain_order)
    counts = await world.verify()
    RUNS.append(
        {
            **counts,
            "pushes": world.pushes,
            "races": world.races,
            "ms": int((time.monotonic() - started) * 1000),
        }
    )


def test_the_property_ran_every_example() -> None:
    """Hypothesis really ran the examples (and reports what they covered)."""
    if not RUNS:  # the property test was deselected
        return
    total = {k: sum(r[k] for r in RUNS) for k in RUNS[0]}
    print(f"\nsync properties: {len(RUNS)} examples, {total}")
    for run in RUNS:
        print(run)
    assert len(RUNS) >= EXAMPLES
