"""Commission: what DRCs earn on what they recover, and monthly statements.

Rates are basis points by recovery type and arrears age band (the case's age on the
day the customer paid), from the newest rate table version in effect that day. Each
applied payment books one entry for the DRC holding the case, on the amount that
reduced the debt (overpaid credit earns nothing); a reversal books a clawback of the
same amount. Recovered CPE earns a flat fee per item. Entries are booked in the UTC
month they are written, so a closed month's statement never changes.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.cases import service as cases
from backend.cases.models import Case
from backend.commission import repository
from backend.commission.errors import DrcRequired, RatesInvalid
from backend.commission.models import (
    PAYMENT_TYPES,
    AppliedRule,
    CommissionEntry,
    CommissionRateTable,
    EntryKind,
    RateRule,
    RecoveryType,
)
from backend.commission.schemas import (
    Balance,
    CommissionEntryRead,
    CommissionStatement,
    RateTableCreate,
    RateTableRead,
    StatementTotal,
)
from backend.core import clock, db
from backend.core.errors import Forbidden
from backend.core.money import Money
from backend.drcs import service as drcs
from backend.users.models import Role, User


def _month(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m")


async def create_rate_table(*, actor: User, data: RateTableCreate) -> CommissionRateTable:
    """Publish a new version of the rates (operator admins)."""
    require_rate_setter(actor)
    rules = [RateRule(**r.model_dump()) for r in data.rules]
    check_rules(rules)
    async with db.transaction() as session:
        table = CommissionRateTable(
            version=await repository.latest_version(session=session) + 1,
            effective_from=data.effective_from,
            rules=rules,
            cpe_fee_per_item=data.cpe_fee_per_item,
            note=data.note,
            created_by=actor.id,
        )
        await repository.insert_table(table, session=session)
        await audit.record(
            actor=actor,
            action="commission.rates_create",
            entity_type="commission_rate_table",
            entity_id=str(table.id),
            after={
                "version": table.version,
                "effective_from": table.effective_from.isoformat(),
                "rules": len(rules),
                "cpe_fee_per_item": table.cpe_fee_per_item.amount,
            },
            session=session,
        )
    return table


def require_rate_setter(actor: User) -> None:
    """Only operator admins publish rates."""
    if actor.role is not Role.OPERATOR_ADMIN:
        raise Forbidden("Only operator admins set commission rates")


def check_rules(rules: list[RateRule]) -> None:
    """Every payment recovery type needs bands from day 0, contiguous, open-ended at the top."""
    if any(r.recovery_type is RecoveryType.CPE for r in rules):
        raise RatesInvalid("CPE earns cpe_fee_per_item, not a rate")
    for kind in PAYMENT_TYPES:
        bands = sorted((r for r in rules if r.recovery_type is kind), key=lambda r: r.min_age_days)
        if not bands:
            raise RatesInvalid(f"no rates for {kind.value}")
        start = 0
        for n, band in enumerate(bands, start=1):
            if band.min_age_days != start:
                raise RatesInvalid(
                    f"{kind.value}: the band after day {start - 1} must start at {start}"
                )
            if band.max_age_days is None:
                if n != len(bands):
                    raise RatesInvalid(f"{kind.value}: only the last band may be open-ended")
                break
            if band.max_age_days < band.min_age_days:
                raise RatesInvalid(f"{kind.value}: a band ends before it starts")
            start = band.max_age_days + 1
        if bands[-1].max_age_days is not None:
            raise RatesInvalid(f"{kind.value}: the last band must be open-ended")


async def list_rate_tables(*, actor: User) -> list[CommissionRateTable]:
    """Every version, newest first; operator staff and DRC supervisors read them."""
    if not (actor.is_operator or actor.role is Role.DRC_SUPERVISOR):
        raise Forbidden("Recovery officers do not read rate tables")
    return await repository.tables()


async def earn(
    *,
    actor: User | None,
    case: Case,
    payment_id: str,
    basis: Money,
    paid_at: datetime,
    recovery_type: RecoveryType,
    session: AsyncClientSession,
) -> CommissionEntry | None:
    """Book what the DRC holding the case earns on a payment; None when no DRC holds it."""
    if case.drc_id is None or basis.amount == 0:
        return None
    age = case.age_days(paid_at)
    table = await repository.table_in_effect(paid_at.astimezone(UTC).date(), session=session)
    rule = next((r for r in table.rules if r.matches(recovery_type, age)), None) if table else None
    entry = CommissionEntry(
        key=f"payment:{payment_id}:earning",
        drc_id=case.drc_id,
        case_id=str(case.id),
        payment_id=payment_id,
        kind=EntryKind.EARNING,
        recovery_type=recovery_type,
        basis=basis,
        amount=basis.share(rule.rate_bp) if rule else Money.zero(basis.currency),
        rule=_applied(table, rule, recovery_type, age) if table and rule else None,
        month=_month(clock.now()),
        note=None if rule else "no rate table was in effect on the payment day",
    )
    return await _book(actor, entry, session)


def _applied(
    table: CommissionRateTable, rule: RateRule, recovery_type: RecoveryType, age: int
) -> AppliedRule:
    return AppliedRule(
        table_id=str(table.id),
        table_version=table.version,
        recovery_type=recovery_type,
        age_days=age,
        min_age_days=rule.min_age_days,
        max_age_days=rule.max_age_days,
        rate_bp=rule.rate_bp,
    )


async def claw_back(
    *, actor: User, payment_id: str, reason: str, session: AsyncClientSession
) -> CommissionEntry | None:
    """Book the negative of what a reversed payment earned, linked to the original."""
    original = await repository.by_key(f"payment:{payment_id}:earning", session=session)
    if original is None:
        return None
    key = f"payment:{payment_id}:clawback"
    existing = await repository.by_key(key, session=session)
    if existing is not None:
        return existing
    entry = CommissionEntry(
        key=key,
        drc_id=original.drc_id,
        case_id=original.case_id,
        payment_id=payment_id,
        kind=EntryKind.CLAWBACK,
        recovery_type=original.recovery_type,
        basis=original.basis,
        amount=original.amount,
        rule=original.rule,
        reverses=str(original.id),
        month=_month(clock.now()),
        note=reason,
    )
    return await _book(actor, entry, session)


async def earn_cpe_fee(
    *,
    actor: User | None,
    case: Case,
    serial: str,
    at: datetime | None = None,
    session: AsyncClientSession,
) -> CommissionEntry | None:
    """Book the flat fee for one recovered CPE item, once per item; None when no DRC holds
    the case. Meant for the CPE domain, when RCMP approves a collected item."""
    if case.drc_id is None:
        return None
    key = f"cpe:{case.id}:{serial}:earning"
    existing = await repository.by_key(key, session=session)
    if existing is not None:
        return existing
    at = at or clock.now()
    table = await repository.table_in_effect(at.astimezone(UTC).date(), session=session)
    entry = CommissionEntry(
        key=key,
        drc_id=case.drc_id,
        case_id=str(case.id),
        cpe_serial=serial,
        kind=EntryKind.EARNING,
        recovery_type=RecoveryType.CPE,
        amount=table.cpe_fee_per_item if table else Money.zero(),
        rule=AppliedRule(
            table_id=str(table.id),
            table_version=table.version,
            recovery_type=RecoveryType.CPE,
            age_days=case.age_days(at),
        )
        if table
        else None,
        month=_month(clock.now()),
        note=None if table else "no rate table was in effect on the recovery day",
    )
    return await _book(actor, entry, session)


async def _book(
    actor: User | None, entry: CommissionEntry, session: AsyncClientSession
) -> CommissionEntry:
    await repository.insert_entry(entry, session=session)
    await audit.record(
        actor=actor,
        action=f"commission.{entry.kind.value}",
        entity_type="commission_entry",
        entity_id=str(entry.id),
        after={
            "case_id": entry.case_id,
            "payment_id": entry.payment_id,
            "cpe_serial": entry.cpe_serial,
            "recovery_type": entry.recovery_type.value,
            "amount": entry.signed_amount,
            "rate_bp": entry.rule.rate_bp if entry.rule else None,
        },
        drc_id=entry.drc_id,
        session=session,
    )
    return entry


async def statement(*, actor: User, drc_id: str | None, month: str) -> CommissionStatement:
    """A DRC's entries and clawbacks booked in `month`, with totals per currency."""
    if actor.role is Role.DRC_SUPERVISOR:
        drc_id = drc_id or actor.drc_id
    elif not actor.is_operator:
        raise Forbidden("Recovery officers do not read commission statements")
    if drc_id is None:
        raise DrcRequired("Name the DRC: drc_id")
    await drcs.get_for(actor=actor, drc_id=drc_id)  # 404 for another DRC's supervisor
    entries = await repository.entries_of(drc_id, month)
    case_ids = sorted({e.case_id for e in entries})
    names = {str(c.id): c.customer_name for c in await cases.many_by_id(case_ids)}

    def read(kind: EntryKind) -> list[CommissionEntryRead]:
        return [entry_read_of(e, names.get(e.case_id)) for e in entries if e.kind is kind]

    return CommissionStatement(
        drc_id=drc_id,
        month=month,
        entries=read(EntryKind.EARNING),
        clawbacks=read(EntryKind.CLAWBACK),
        totals=_totals(entries),
    )


def _totals(entries: list[CommissionEntry]) -> list[StatementTotal]:
    sums: dict[str, dict[EntryKind, int]] = {}
    for entry in entries:
        per_kind = sums.setdefault(entry.amount.currency, dict.fromkeys(EntryKind, 0))
        per_kind[entry.kind] += entry.amount.amount
    return [
        StatementTotal(
            currency=currency,
            earned=Money(amount=kinds[EntryKind.EARNING], currency=currency),
            clawed_back=Money(amount=kinds[EntryKind.CLAWBACK], currency=currency),
            net=Balance(
                amount=kinds[EntryKind.EARNING] - kinds[EntryKind.CLAWBACK], currency=currency
            ),
        )
        for currency, kinds in sorted(sums.items())
    ]


def entry_read_of(entry: CommissionEntry, customer_name: str | None = None) -> CommissionEntryRead:
    return CommissionEntryRead.model_validate(
        {
            **entry.model_dump(exclude={"id", "revision_id", "key"}),
            "id": str(entry.id),
            "signed_amount": entry.signed_amount,
            "customer_name": customer_name,
        }
    )


def table_read_of(table: CommissionRateTable) -> RateTableRead:
    return RateTableRead.model_validate(
        {**table.model_dump(exclude={"id", "revision_id"}), "id": str(table.id)}
    )


async def totals_by_drc_month(*, drc_id: str | None, first: str, last: str) -> list[dict]:
    """Commission booked in months `first`..`last` per DRC, month, currency and kind
    (earning, clawback); one DRC's when `drc_id` is given. No reach check: the caller's."""
    match = {} if drc_id is None else {"drc_id": drc_id}
    return await repository.totals_by_drc_month(match, first=first, last=last)
