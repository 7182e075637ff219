"""The cure process: the way back to service for a suspended account.

Once OSS acknowledges a suspension, a cure record opens. Its conditions are the
account's arrears paid (nothing outstanding on its cases) or the first instalment of a
payment arrangement (an instalment settlement on one of its cases) paid. Payments call
`payment_applied` in their own transaction, and the beat's sweep checks open records
too; when a condition holds, the record is met and a reinstatement is requested in the
same transaction. Staff record the contacts, arrangements and support along the way.
"""

from __future__ import annotations

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.models import PartStatus
from backend.core import clock, db
from backend.oss import repository, service
from backend.oss.errors import CureNotFound
from backend.oss.models import (
    CureAction,
    CureCondition,
    CureRecord,
    CureStatus,
    ServiceState,
    ServiceStatus,
)
from backend.oss.schemas import CureActionCreate, CureRead
from backend.settlements import service as settlements
from backend.settlements.models import InstalmentStatus, SettlementKind
from backend.users.models import User

SWEEP_PAGE = 200


async def on_service_changed(*, state: ServiceState, session: AsyncClientSession) -> None:
    """A suspension done opens the cycle's cure record; a reinstatement done closes it."""
    if state.status is ServiceStatus.SUSPENDED:
        cure = CureRecord(account_id=state.id, cycle=state.cycle)
        await repository.insert_cure(cure, session=session)
        await _audit(None, "cure.open", cure, session)
        await check(account_id=state.id, session=session)
    elif state.status is ServiceStatus.REINSTATED:
        latest = await repository.latest_cure(state.id, session=session)
        if latest is not None and latest.status is not CureStatus.CLOSED:
            await repository.save_cure(
                latest, {"status": CureStatus.CLOSED, "closed_at": clock.now()}, session=session
            )
            await _audit(None, "cure.close", latest, session)


async def payment_applied(*, account_id: str, session: AsyncClientSession) -> None:
    """Called where a payment is applied: a suspended account's cure may now be met."""
    await check(account_id=account_id, session=session)


async def check(*, account_id: str, session: AsyncClientSession | None = None) -> bool:
    """Meet the open cure record when a condition holds, and ask for reinstatement."""
    async with db.transaction(session) as txn:
        cure = await repository.latest_cure(account_id, session=txn)
        if cure is None or cure.status is not CureStatus.OPEN:
            return False
        met = await _condition_met(account_id, txn)
        if met is None:
            return False
        event = await service.request_reinstatement(
            account_id=account_id, reason=f"cure condition met: {met.value}", session=txn
        )
        await repository.save_cure(
            cure,
            {
                "status": CureStatus.MET,
                "met_at": clock.now(),
                "met_by": met,
                "reinstatement_event_id": event.id,
            },
            session=txn,
        )
        await _audit(None, "cure.met", cure, txn)
    return True


async def _condition_met(account_id: str, session: AsyncClientSession) -> CureCondition | None:
    arrears = [
        case
        for case in await cases.of_account(account_id, session=session)
        if case.arrears_status is not PartStatus.NOT_REQUIRED
    ]
    owing = [c for c in arrears if c.arrears_status is not PartStatus.DONE]
    if arrears and all(case.outstanding.amount == 0 for case in owing):
        return CureCondition.ARREARS_PAID
    for case in owing:
        plan = await settlements.active_for(case_id=str(case.id), session=session)
        if (
            plan is not None
            and plan.kind is SettlementKind.INSTALMENTS
            and plan.instalments[0].status is InstalmentStatus.PAID
        ):
            return CureCondition.FIRST_INSTALMENT_PAID
    return None


async def sweep() -> dict[str, int]:
    """Check every open cure record (a payment recorded before the suspension was done)."""
    after, checked, met = None, 0, 0
    while page := await repository.open_cures(after=after, limit=SWEEP_PAGE):
        for cure in page:
            checked += 1
            met += await check(account_id=cure.account_id)
        after = page[-1].id
    return {"checked": checked, "met": met}


async def get_cure(*, account_id: str) -> CureRead:
    """The account's latest cure record."""
    cure = await repository.latest_cure(account_id)
    if cure is None:
        raise CureNotFound(f"no cure record for {account_id}")
    return read_of(cure)


async def add_action(*, actor: User, account_id: str, data: CureActionCreate) -> CureRead:
    """Record a contact, arrangement or support step on the account's cure record."""
    async with db.transaction() as txn:
        cure = await repository.latest_cure(account_id, session=txn)
        if cure is None:
            raise CureNotFound(f"no cure record for {account_id}")
        action = CureAction(by=actor.id, kind=data.kind, note=data.note)
        await repository.push_cure_action(cure, action, session=txn)
        cure.actions.append(action)
        await audit.record(
            actor=actor,
            action="cure.action",
            entity_type="cure",
            entity_id=str(cure.id),
            after={"account_id": account_id, "kind": data.kind.value, "note": data.note},
            session=txn,
        )
    return read_of(cure)


async def _audit(
    actor: User | None, action: str, cure: CureRecord, session: AsyncClientSession
) -> None:
    await audit.record(
        actor=actor,
        action=action,
        entity_type="cure",
        entity_id=str(cure.id),
        after={"account_id": cure.account_id, "cycle": cure.cycle, "status": cure.status.value},
        session=session,
    )


def read_of(cure: CureRecord) -> CureRead:
    return CureRead.model_validate(
        {**cure.model_dump(exclude={"id", "revision_id", "version"}), "id": str(cure.id)}
    )
