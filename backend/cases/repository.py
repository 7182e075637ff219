"""The only code that touches the cases and open_case_keys collections.

Every change goes through `apply`: it bumps the version (guarded, so concurrent
writers cannot lose each other's work), appends history, writes the audit record and
appends to the sync change log, all in the caller's transaction. Records kept beside a
case (negotiations, the CPE and mediation files, requests, contacts) call `note` when
they change, so the case's readers hear of them too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from datetime import datetime, timedelta
from typing import Any

from beanie import PydanticObjectId
from beanie.odm.utils.encoder import Encoder
from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from backend.audit import service as audit
from backend.audit.service import Actor
from backend.cases.contacts import ContactDigest
from backend.cases.errors import CaseAlreadyOpen, CaseChanged
from backend.cases.models import (
    Case,
    CaseCountShard,
    CaseEvent,
    OfficerCaseCounts,
    OpenCaseKey,
    name_words,
    summary,
)
from backend.cases.phases import OPEN_VALUES, Phase
from backend.cases.sections import Section
from backend.core import audiences, clock, db
from backend.core.ids import object_id
from sync import changelog


async def get(case_id: str, *, session: AsyncClientSession | None = None) -> Case | None:
    oid = object_id(case_id)
    return None if oid is None else await Case.get(oid, session=session)


async def insert(
    case: Case, keys: list[str], *, actor: Actor | None, session: AsyncClientSession
) -> Case:
    """Create a case and claim its open keys; a key already held raises CaseAlreadyOpen."""
    case.id = PydanticObjectId()
    for key in keys:
        try:
            await OpenCaseKey(id=key, case_id=str(case.id)).insert(session=session)
        except DuplicateKeyError as exc:
            raise CaseAlreadyOpen(f"An open case already covers {key}", key=key) from exc
    await case.insert(session=session)
    await _recount(case, None, _held(case), session=session)
    await note(case, "case.open", sections=None, session=session)
    await audit.record(
        actor=actor,
        action="case.open",
        entity_type="case",
        entity_id=str(case.id),
        after=summary(case),
        drc_id=case.drc_id,
        session=session,
    )
    return case


async def insert_many_open(
    cases: list[tuple[Case, list[str]]], *, actor: Actor | None, session: AsyncClientSession
) -> tuple[list[Case], dict[str, str]]:
    """Create many cases and claim their keys with one query and three inserts.

    A case whose keys are held (by an open case, or by an earlier case of this call) is
    skipped; the holders come back as {key: case_id}. Opened cases get their id. A key
    claimed concurrently after the check fails the transaction with a duplicate key.
    """
    wanted = [key for _, keys in cases for key in keys]
    cursor = OpenCaseKey.get_pymongo_collection().find({"_id": {"$in": wanted}}, session=session)
    held: dict[str, str] = {doc["_id"]: doc["case_id"] async for doc in cursor}
    opened, claims, blocked = _claim_keys(cases, held)
    if not opened:
        return opened, blocked
    # pydantic's own dump: Beanie's per-field encoder costs more than the write itself here
    dump = {"mode": "python", "by_alias": True, "exclude": {"revision_id"}}
    await OpenCaseKey.get_pymongo_collection().insert_many(claims, session=session)
    await Case.get_pymongo_collection().insert_many(
        [case.model_dump(**dump) for case in opened], session=session
    )
    await _count_opened(opened, session=session)
    await changelog.append_many([_noted(c, "case.open") for c in opened], session=session)
    await audit.record_many(
        actor=actor,
        action="case.open",
        entity_type="case",
        created=[(str(c.id), summary(c), c.drc_id) for c in opened],
        session=session,
    )
    return opened, blocked


def _claim_keys(
    cases: list[tuple[Case, list[str]]], held: dict[str, str]
) -> tuple[list[Case], list[dict[str, str]], dict[str, str]]:
    """The cases whose keys are free (given their id), their key claims, and the holders
    of the keys that were not: each case claims its keys before the next is looked at."""
    opened: list[Case] = []
    claims: list[dict[str, str]] = []
    blocked: dict[str, str] = {}
    for case, keys in cases:
        taken = {key: held[key] for key in keys if key in held}
        if taken:
            blocked.update(taken)
            continue
        case.id = PydanticObjectId()
        held.update(dict.fromkeys(keys, str(case.id)))
        claims += [{"_id": key, "case_id": str(case.id)} for key in keys]
        opened.append(case)
    return opened, claims, blocked


async def apply(
    case: Case,
    *,
    actor: Actor | None,
    action: str,
    changes: dict[str, Any],
    event: CaseEvent | None,
    sections: Iterable[Section] | None = None,
    session: AsyncClientSession,
) -> Case:
    """Write `changes` if the case is still at the version it was read at.

    `sections`: what of the case's read model the caller changed, its own fields aside
    (records beside the case in the same transaction); None: anything may have."""
    before = summary(case)
    held_before = _held(case)
    held_before_scope = (case.ro_id, case.drc_id)
    await _write_over(case, changes, event, session=session)
    if case.phase is Phase.CLOSED:
        await OpenCaseKey.get_pymongo_collection().delete_many(
            {"case_id": str(case.id)}, session=session
        )
    await _recount(case, held_before, _held(case), session=session)
    await changelog.append(
        entity="case",
        entity_id=str(case.id),
        action=action,
        before=audiences.holding(*held_before_scope),
        after=audiences.holding(case.ro_id, case.drc_id),
        version=case.version,
        sections=_with_own(sections),
        session=session,
    )
    await _audit_change(case, before, actor=actor, action=action, session=session)
    return case


async def remove_closed(
    case: Case, *, actor: Actor | None, session: AsyncClientSession
) -> dict[str, Any]:
    """Delete a closed case still at the version read (retention moves it to the archive),
    uncount it and tell its holders it is gone; the document as it was stored."""
    where = {"_id": case.id, "version": case.version, "phase": Phase.CLOSED.value}
    cases = Case.get_pymongo_collection()
    stored = await cases.find_one(where, session=session)
    if stored is None or (await cases.delete_one(where, session=session)).deleted_count == 0:
        raise CaseChanged(f"Case {case.id} changed; reload and retry")
    await _recount(case, _held(case), None, session=session)
    await changelog.append(
        entity="case",
        entity_id=str(case.id),
        action="case.archive",
        before=audiences.holding(case.ro_id, case.drc_id),
        after=[],
        version=case.version + 1,
        sections=None,
        session=session,
    )
    await audit.record(
        actor=actor,
        action="case.archive",
        entity_type="case",
        entity_id=str(case.id),
        before=summary(case),
        drc_id=case.drc_id,
        session=session,
    )
    return stored


async def customers_active_since(customer_ids: list[str], cutoff: datetime) -> set[str]:
    """Those of `customer_ids` with an open case, or one changed since `cutoff`."""
    filters = {
        "customer_id": {"$in": customer_ids},
        "$or": [{"is_open": True}, {"updated_at": {"$gte": cutoff}}],
    }
    rows = await Case.get_pymongo_collection().distinct("customer_id", filters)
    return set(rows)


async def _audit_change(
    case: Case,
    before: dict[str, Any],
    *,
    actor: Actor | None,
    action: str,
    session: AsyncClientSession,
) -> None:
    old, new = audit.diff(before, summary(case))
    await audit.record(
        actor=actor,
        action=action,
        entity_type="case",
        entity_id=str(case.id),
        before=old,
        after=new,
        drc_id=case.drc_id,
        session=session,
    )


async def _write_over(
    case: Case, changes: dict[str, Any], event: CaseEvent | None, *, session: AsyncClientSession
) -> None:
    """Write `changes` (and `event`) over the version read, moving the case to the next
    version; CaseChanged when it is no longer the stored one."""
    fields = {**changes, "version": case.version + 1, "updated_at": clock.now()}
    if "phase" in fields:
        fields["is_open"] = Phase(fields["phase"]) is not Phase.CLOSED
    if "customer_name" in fields:
        fields["name_words"] = name_words(fields["customer_name"])
    update: dict[str, Any] = {"$set": Encoder().encode(fields)}
    if event is not None:
        update["$push"] = {"history": event.model_dump(mode="python")}
    result = await Case.get_pymongo_collection().update_one(
        {"_id": case.id, "version": case.version}, update, session=session
    )
    if result.matched_count == 0:
        raise CaseChanged(f"Case {case.id} changed; reload and retry")
    for name, value in fields.items():
        setattr(case, name, value)
    if event is not None:
        case.history.append(event)


async def note(
    case: Case, action: str, *, sections: Iterable[Section] | None, session: AsyncClientSession
) -> None:
    """Tell the case's readers something kept beside it changed (or that it was opened):
    the `sections` of its read model (None: any)."""
    await changelog.append_many([_noted(case, action, sections)], session=session)


def _noted(case: Case, action: str, sections: Iterable[Section] | None = None) -> dict:
    scope = audiences.holding(case.ro_id, case.drc_id)
    return changelog.entry(
        entity="case",
        entity_id=str(case.id),
        action=action,
        before=scope,
        after=scope,
        version=case.version,
        sections=_with_own(sections),
    )


def _with_own(sections: Iterable[Section] | None) -> list[str] | None:
    """The sections a change names: the case's own fields always, for its version."""
    return None if sections is None else [Section.CASE, *sections]


Held = tuple[str | None, str | None, Phase]  # (DRC, officer, phase) a case is counted under


def _held(case: Case) -> Held:
    return (case.drc_id, case.ro_id, case.phase)


UNHELD_SHARDS = 8  # shards of a DRC's (or the pool's) cases without an officer


def shard_id(drc_id: str | None, ro_id: str | None, case_id: str) -> str:
    """The count shard a case is counted in: its officer's in its DRC, or one of a few
    shards (by the case id's last byte) of its DRC's, or the pool's, unheld cases."""
    holder = ro_id if ro_id is not None else f"~{int(case_id[-2:], 16) % UNHELD_SHARDS}"
    return f"{drc_id or '-'}|{holder}"


async def _recount(
    case: Case, before: Held | None, after: Held | None, *, session: AsyncClientSession
) -> None:
    """Move the case between the kept counts (its officer's, and its count shard) when its
    DRC, holder or phase changed; `None`: not counted (before it existed)."""
    if before != after:
        moves = [(str(case.id), held, step) for held, step in ((before, -1), (after, 1)) if held]
        await _count(moves, session=session)


async def _count_opened(cases: list[Case], *, session: AsyncClientSession) -> None:
    await _count([(str(case.id), _held(case), 1) for case in cases], session=session)


async def _count(moves: Iterable[tuple[str, Held, int]], *, session: AsyncClientSession) -> None:
    """Add each (case id, where it is held, step) to its officer's counts and its count
    shard: one update per document, none where the steps cancel out."""
    officers: dict[str, dict[str, int]] = {}
    shards: dict[tuple[str, str | None, str | None], dict[str, int]] = {}
    for case_id, (drc_id, ro_id, phase), step in moves:
        key = f"phases.{phase.value}"
        if ro_id is not None:
            held = officers.setdefault(ro_id, {})
            held[key] = held.get(key, 0) + step
        shard = shards.setdefault((shard_id(drc_id, ro_id, case_id), drc_id, ro_id), {})
        shard[key] = shard.get(key, 0) + step
    for holder, inc in officers.items():
        await _inc(OfficerCaseCounts, {"_id": holder}, inc, session=session)
    for (sid, drc, holder_id), inc in shards.items():
        where = {"_id": sid, "drc_id": drc, "ro_id": holder_id}
        await _inc(CaseCountShard, where, inc, session=session)


async def _inc(
    model: type[OfficerCaseCounts | CaseCountShard],
    where: dict[str, Any],
    inc: dict[str, int],
    *,
    session: AsyncClientSession,
) -> None:
    steps = {key: n for key, n in inc.items() if n}
    if steps:
        await model.get_pymongo_collection().update_one(
            where, {"$inc": steps}, upsert=True, session=session
        )


async def officer_counts(ro_id: str) -> dict[str, int]:
    held = await OfficerCaseCounts.get(ro_id)
    return dict(held.phases) if held else {}


async def rebuild_officer_counts() -> int:
    """Recount every officer's cases, and every count shard, from the cases themselves
    (repair after raw loads); how many officers hold cases."""
    group = {"drc": "$drc_id", "ro": "$ro_id", "phase": "$phase"}
    pipeline: list[dict[str, Any]] = [{"$group": {"_id": group, "n": {"$sum": 1}}}]
    officers: dict[str, dict[str, int]] = {}
    shards: dict[str, dict[str, Any]] = {}
    async for row in await Case.get_pymongo_collection().aggregate(pipeline):
        drc_id, ro_id, phase = row["_id"].get("drc"), row["_id"].get("ro"), row["_id"]["phase"]
        if ro_id is not None:
            held = officers.setdefault(ro_id, {})
            held[phase] = held.get(phase, 0) + row["n"]
            shards.setdefault(shard_id(drc_id, ro_id, "00"), _shard(drc_id, ro_id))
            shards[shard_id(drc_id, ro_id, "00")]["phases"][phase] = row["n"]
    await _unheld_shards(shards)
    await _replace_all(OfficerCaseCounts, {ro: {"phases": p} for ro, p in officers.items()})
    await _replace_all(CaseCountShard, shards)
    return len(officers)


def _shard(drc_id: str | None, ro_id: str | None) -> dict[str, Any]:
    return {"drc_id": drc_id, "ro_id": ro_id, "phases": {}}


async def _unheld_shards(shards: dict[str, dict[str, Any]]) -> None:
    """Add the unheld cases' shards to `shards`: grouped by case id, which picks the shard."""
    cursor = Case.get_pymongo_collection().find(
        {"ro_id": None}, {"_id": 1, "drc_id": 1, "phase": 1}
    )
    async for row in cursor:
        drc_id = row.get("drc_id")
        shard = shards.setdefault(shard_id(drc_id, None, str(row["_id"])), _shard(drc_id, None))
        shard["phases"][row["phase"]] = shard["phases"].get(row["phase"], 0) + 1


async def _replace_all(
    model: type[OfficerCaseCounts | CaseCountShard], docs: dict[str, dict[str, Any]]
) -> None:
    collection = model.get_pymongo_collection()
    await collection.delete_many({"_id": {"$nin": list(docs)}})
    for key, doc in docs.items():
        await collection.replace_one({"_id": key}, doc, upsert=True)


async def count_shards(filters: dict[str, Any]) -> dict[str, int]:
    """The sum per phase of the count shards matching `filters` (drc_id and/or ro_id)."""
    totals: dict[str, int] = {}
    async for doc in CaseCountShard.get_pymongo_collection().find(filters, {"phases": 1}):
        for phase, n in doc.get("phases", {}).items():
            totals[phase] = totals.get(phase, 0) + n
    return totals


async def keep_list_fields() -> int:
    """Give every case the open flag its phase implies, and the name words its customer's
    name gives (cases stored before they were kept, or raw loads); how many changed."""
    cases = Case.get_pymongo_collection()
    closed = Phase.CLOSED.value
    changed = 0
    for filters, value in (
        ({"phase": closed, "is_open": {"$ne": False}}, False),
        ({"phase": {"$ne": closed}, "is_open": {"$ne": True}}, True),
    ):
        result = await cases.update_many(filters, {"$set": {"is_open": value}})
        changed += result.modified_count
    async for row in cases.find({"name_words": {"$exists": False}}, {"customer_name": 1}):
        words = name_words(row.get("customer_name") or "")
        await cases.update_one({"_id": row["_id"]}, {"$set": {"name_words": words}})
        changed += 1
    return changed


async def of_account(account_id: str, *, session: AsyncClientSession | None = None) -> list[Case]:
    return await Case.find({"account_id": account_id}, session=session).to_list()


async def of_accounts(account_ids: list[str]) -> list[Case]:
    """Every case of these accounts, in one indexed lookup per account id."""
    rows = await db.find_by_keys(Case, "account_id", account_ids)
    return [Case.model_validate(row) for row in rows]


async def find(filters: dict[str, Any], *, sort: list[tuple[str, int]], limit: int) -> list[Case]:
    return await Case.find(filters).sort(sort).limit(limit).to_list()  # type: ignore[arg-type]


async def find_rows(
    filters: dict[str, Any],
    fields: tuple[str, ...],
    *,
    sort: list[tuple[str, int]] | None = None,
    limit: int = 0,
) -> list[dict[str, Any]]:
    """Raw documents with only `fields`: one index range of a list, or a lookup."""
    cursor = Case.get_pymongo_collection().find(
        filters, dict.fromkeys(fields, 1), sort=sort, limit=limit
    )
    return await cursor.to_list()


async def count_by_phase(filters: dict[str, Any]) -> dict[str, int]:
    pipeline = [{"$match": filters}, {"$group": {"_id": "$phase", "n": {"$sum": 1}}}]
    rows = await Case.get_pymongo_collection().aggregate(pipeline)
    return {row["_id"]: row["n"] async for row in rows}


async def ids_where(filters: dict[str, Any], *, limit: int = 10_000) -> list[str]:
    cursor = Case.get_pymongo_collection().find(filters, {"_id": 1}).limit(limit)
    return [str(doc["_id"]) async for doc in cursor]


async def count_open_by(
    field: str, values: list[str], *, session: AsyncClientSession | None = None
) -> dict[str, int]:
    """Open cases per value of `field` (`drc_id` or `ro_id`), for those values only."""
    if not values:
        return {}
    pipeline: list[dict[str, Any]] = [
        {"$match": {field: {"$in": values}, "phase": {"$ne": Phase.CLOSED.value}}},
        {"$group": {"_id": f"${field}", "n": {"$sum": 1}}},
    ]
    rows = await Case.get_pymongo_collection().aggregate(pipeline, session=session)
    return {row["_id"]: row["n"] async for row in rows}


async def ids_sorted(
    filters: dict[str, Any], *, sort: list[tuple[str, int]], limit: int
) -> list[str]:
    cursor = Case.get_pymongo_collection().find(filters, {"_id": 1}).sort(sort).limit(limit)
    return [str(doc["_id"]) async for doc in cursor]


async def id_batches(filters: dict[str, Any], *, size: int) -> AsyncIterator[list[str]]:
    """Ids of the cases matching `filters`, `size` at a time, from one cursor."""
    cursor = Case.get_pymongo_collection().find(filters, {"_id": 1}).batch_size(size)
    batch: list[str] = []
    async for doc in cursor:
        batch.append(str(doc["_id"]))
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


async def keep_contacts(digests: dict[str, ContactDigest]) -> int:
    """Store each digest on its case where none is kept yet; how many were stored.

    The case's version does not move: its documents read the same, only no longer
    counted from the records."""
    cases = Case.get_pymongo_collection()
    kept = 0
    for case_id, digest in digests.items():
        result = await cases.update_one(
            {"_id": ObjectId(case_id), "contacts": None},
            {"$set": {"contacts": Encoder().encode(digest)}},
        )
        kept += result.modified_count
    return kept


async def by_ids(ids: list[ObjectId]) -> list[Case]:
    """Cases by id, in no particular order; one indexed lookup per id (batches of
    hundreds: the mirror)."""
    rows = await db.find_by_keys(Case, "_id", ids)
    return [Case.model_validate(row) for row in rows]


async def officer_counts_of(ro_ids: list[str]) -> dict[str, dict[str, int]]:
    cursor = OfficerCaseCounts.get_pymongo_collection().find({"_id": {"$in": ro_ids}})
    return {doc["_id"]: dict(doc.get("phases", {})) async for doc in cursor}


async def follow_ups_due_of(ro_id: str, *, until: datetime) -> int:
    """Open cases `ro_id` holds whose next follow-up falls on or before `until`: a range of
    the officer's open follow-up list index (ro_id, is_open, next_follow_up, _id), not a
    pass over the officer's cases.

    The bound is exclusive, a millisecond on: SecantusDB drops the keys equal to an
    inclusive end on a compound key with fields after it (the lists' windows say more)."""
    end = db.as_stored(until) + timedelta(milliseconds=1)  # stores keep milliseconds
    filters = {"ro_id": ro_id, "is_open": True, "next_follow_up": {"$lt": end}}
    return await Case.get_pymongo_collection().count_documents(filters)


async def open_holders(ids: list[ObjectId]) -> dict[str, str]:
    """The officer holding each open, held case among `ids`."""
    match = {"phase": {"$in": OPEN_VALUES}}
    rows = await db.find_by_keys(Case, "_id", ids, match=match, projection={"ro_id": 1})
    return {str(row["_id"]): row["ro_id"] for row in rows if row.get("ro_id")}
