"""Equipment collection: officers record each item, the RCMP approves what came back.

Item states only move forward (see `models.RANK`); when every item is resolved and
something is in hand, the case's CPE part waits for approval, and approval completes
it through cases.service (which closes the case when nothing else is open).
"""

from __future__ import annotations

from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.models import Case, PartStatus
from backend.cases.sections import Section
from backend.commission import service as commission
from backend.core import db
from backend.core.clock import require_past
from backend.core.errors import Forbidden
from backend.cpe import repository
from backend.cpe.errors import (
    CpeNotAwaitingApproval,
    CpeNotRequired,
    CpePartDone,
    CpeReasonRequired,
    CpeRegression,
    UnknownSerial,
)
from backend.cpe.models import (
    IN_HAND,
    RANK,
    ApprovalDecision,
    CpeApproval,
    CpeCollection,
    CpeEntry,
    ItemState,
    ItemStatus,
)
from backend.cpe.schemas import CpeApprovalCreate, CpeItemRecord, CpeRead
from backend.customers import service as customers
from backend.users.models import User


async def view(*, case: Case) -> CpeRead:
    """The case's equipment with each item's latest status and history."""
    return _read(case, await _load(case))


async def record_item(
    *, actor: User, case: Case, data: CpeItemRecord, session: AsyncClientSession | None = None
) -> CpeRead:
    """Record one visit's result for one item, keeping the furthest state it reached."""
    cases.require_worker(actor, case)
    _require_open_part(case)
    require_past(data.collected_at, what="collected_at")
    await _check_serial(case, data.serial)
    async with db.transaction(session) as session:
        read_at = case.version
        collection = await _load(case, session=session)
        item = collection.item(data.serial)
        assert item is not None  # _load lists every item of the case
        before = _item_summary(item)
        _advance(item, data, actor=actor)
        await repository.save(collection, session=session)
        await audit.record(
            actor=actor,
            action="cpe.collect_item",
            entity_type="cpe_item",
            entity_id=f"{case.id}:{item.serial}",
            before=before,
            after=_item_summary(item),
            drc_id=case.drc_id,
            session=session,
        )
        case = await _after_recording(actor, case, collection, session=session)
        await cases.touch(
            case,
            action="cpe.collect_item",
            sections=[Section.CPE_ITEMS],
            read_at=read_at,
            session=session,
        )
    return _read(case, collection)


async def decide(*, actor: User, case: Case, data: CpeApprovalCreate) -> CpeRead:
    """The RCMP approves the returned items (completing the CPE part) or sends them back."""
    _require_decidable(actor, case, data)
    async with db.transaction() as session:
        read_at = case.version
        collection = await _load(case, session=session)
        approval = _approve(collection, actor, data)
        await repository.save(collection, session=session)
        await audit.record(
            actor=actor,
            action=f"cpe.{data.decision.value}",
            entity_type="cpe_collection",
            entity_id=str(case.id),
            after=approval.model_dump(mode="json", exclude={"at", "by"}),
            drc_id=case.drc_id,
            session=session,
        )
        case = await _settle_part(actor, case, approval, session=session)
        await cases.touch(
            case,
            action=f"cpe.{data.decision.value}",
            sections=[Section.CPE_ITEMS],
            read_at=read_at,
            session=session,
        )
    return _read(case, collection)


def _require_decidable(actor: User, case: Case, data: CpeApprovalCreate) -> None:
    if not actor.is_operator:
        raise Forbidden("Only operator staff decide on returned equipment")
    if case.cpe_status is PartStatus.NOT_REQUIRED:
        raise CpeNotRequired(f"Case {case.id} has no equipment to recover")
    if case.cpe_status is not PartStatus.AWAITING_APPROVAL:
        raise CpeNotAwaitingApproval(
            f"Equipment of case {case.id} is {case.cpe_status}", cpe_status=case.cpe_status.value
        )
    if data.decision is ApprovalDecision.REJECT and data.reason is None:
        raise CpeReasonRequired("Say why the returned equipment is rejected")


def _approve(collection: CpeCollection, actor: User, data: CpeApprovalCreate) -> CpeApproval:
    """The decision on every item in hand, kept on the collection."""
    returned = [i for i in collection.items if i.status in IN_HAND]
    approval = CpeApproval(
        decision=data.decision,
        serials=[i.serial for i in returned],
        by=actor.id,
        reason=data.reason,
        reference=data.reference,
    )
    collection.approvals.append(approval)
    for item in returned:
        if data.decision is ApprovalDecision.REJECT:
            _send_back(item, approval)
        else:
            item.approved_at = approval.at
    return approval


def _require_open_part(case: Case) -> None:
    if case.cpe_status is PartStatus.NOT_REQUIRED:
        raise CpeNotRequired(f"Case {case.id} has no equipment to recover")
    if case.cpe_status is PartStatus.DONE:
        raise CpePartDone(f"Equipment of case {case.id} is already approved")


async def _check_serial(case: Case, serial: str) -> None:
    on_case = any(item.serial == serial for item in case.cpe_items)
    if not on_case or serial not in await customers.cpe_serials(account_id=case.account_id):
        raise UnknownSerial(f"{serial} is not equipment of this case", serial=serial)


async def _load(case: Case, *, session: AsyncClientSession | None = None) -> CpeCollection:
    """The stored record, with an open entry for every item of the case not yet in it."""
    collection = await repository.get(str(case.id), session=session) or CpeCollection(
        id=str(case.id), account_id=case.account_id
    )
    for cpe in case.cpe_items:
        if collection.item(cpe.serial) is None:
            collection.items.append(ItemState(serial=cpe.serial, model=cpe.model, type=cpe.type))
    return collection


def _advance(item: ItemState, data: CpeItemRecord, *, actor: User) -> None:
    status = ItemStatus(data.status.value)
    if RANK[status] < RANK[item.status]:
        raise CpeRegression(
            f"Item {item.serial} is already {item.status}; it cannot become {status}",
            serial=item.serial,
            current=item.status.value,
        )
    entry = CpeEntry(
        status=status,
        at=data.collected_at,
        recorded_by=actor.id,
        condition=data.condition,
        photo_ref=data.photo_ref,
    )
    item.history.append(entry)
    item.status, item.collected_at = status, entry.at
    item.condition, item.photo_ref = entry.condition, entry.photo_ref


async def _after_recording(
    actor: User, case: Case, collection: CpeCollection, *, session: AsyncClientSession
) -> Case:
    """Every item resolved with something in hand: the part waits for the RCMP."""
    resolved = all(i.status is not ItemStatus.OPEN for i in collection.items)
    in_hand = any(i.status in IN_HAND for i in collection.items)
    if case.cpe_status is not PartStatus.OPEN or not (resolved and in_hand):
        return case
    return await cases.update(
        actor=actor,
        case=case,
        action="case.cpe_awaiting_approval",
        changes={"cpe_status": PartStatus.AWAITING_APPROVAL},
        note="every item resolved; returned equipment awaits RCMP approval",
        session=session,
    )


def _send_back(item: ItemState, approval: CpeApproval) -> None:
    """A rejected item is open again, to be collected (or accounted for) anew."""
    item.history.append(
        CpeEntry(
            status=ItemStatus.OPEN,
            at=approval.at,
            recorded_by=approval.by,
            condition=f"rejected by RCMP: {approval.reason}",
        )
    )
    item.status = ItemStatus.OPEN
    item.collected_at = item.condition = item.photo_ref = None


async def _settle_part(
    actor: User, case: Case, approval: CpeApproval, *, session: AsyncClientSession
) -> Case:
    if approval.decision is ApprovalDecision.APPROVE:
        for serial in approval.serials:
            await commission.earn_cpe_fee(
                actor=actor, case=case, serial=serial, at=approval.at, session=session
            )
        return await cases.complete_part(actor=actor, case=case, part="cpe", session=session)
    return await cases.update(
        actor=actor,
        case=case,
        action="case.cpe_rejected",
        changes={"cpe_status": PartStatus.OPEN},
        note=approval.reason,
        session=session,
    )


def _item_summary(item: ItemState) -> dict:
    return {"status": item.status.value, "condition": item.condition, "photo_ref": item.photo_ref}


def _read(case: Case, collection: CpeCollection) -> CpeRead:
    return CpeRead(
        case_id=str(case.id),
        cpe_status=case.cpe_status,
        items=collection.items,
        approvals=collection.approvals,
        version=collection.version,
        updated_at=collection.updated_at if collection.version else None,
    )


async def items_by_type_and_status(*, case_match: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Recorded equipment per item type and status (rows `{_id: {type, status}, n,
    approved}`), of the cases `case_match` selects (None: every case)."""
    return await repository.items_by_type_and_status(case_match)
