"""BSS's records taken in, one at a time, whatever brought them (a feed row, a push).

Each is checked against its kind's schema, then written by its BSS id in one conditional
write that only replaces an older version (by BSS's own `updated_at`): the same record
twice is `unchanged`, an older one `stale`, and a concurrent writer never loses a newer
version. Customers and accounts are the customers domain's documents."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError

from backend.billing import repository
from backend.billing.models import (
    BillingCycle,
    CustomerGroup,
    Invoice,
    Outcome,
    PaymentMethod,
    RowOutcome,
    ServicePlan,
)
from backend.billing.schemas import (
    RECORDS,
    AccountRecord,
    BssRecord,
    CustomerRecord,
    CycleRecord,
    GroupRecord,
    InvoiceRecord,
    PaymentMethodRecord,
    PlanRecord,
)
from backend.core import clock, db
from backend.core.money import Money
from backend.customers import service as customers
from backend.customers.models import Account, Customer


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


def check(row: int, fields: dict[str, Any], kind: str | None = None) -> BssRecord | RowOutcome:
    """The record validated by its kind's schema, or the row's refusal with its reason."""
    given = fields.get("kind", kind)
    if kind is not None and given != kind:
        return _refused(row, fields, "kind", f"expected kind {kind!r} in this feed")
    schema = RECORDS.get(given) if isinstance(given, str) else None
    if schema is None:
        return _refused(row, fields, "kind", f"kind must be one of {', '.join(RECORDS)}")
    try:
        return schema.model_validate({**fields, "kind": given})
    except ValidationError as exc:
        err = exc.errors(include_url=False)[0]
        where = ".".join(str(p) for p in err["loc"]) or None
        return _refused(row, fields, where, err["msg"].removeprefix("Value error, "))


def _refused(row: int, fields: dict[str, Any], where: str | None, reason: str) -> RowOutcome:
    key, kind = fields.get("id"), fields.get("kind")
    return RowOutcome(
        row=row,
        kind=kind if isinstance(kind, str) else None,
        id=key if isinstance(key, str) else None,
        outcome=Outcome.REFUSED,
        field=where,
        reason=reason,
    )


async def take_record(
    fields: dict[str, Any], *, row: int = 1, kind: str | None = None
) -> RowOutcome:
    """Check one record and write it unless DebtX already holds a newer version."""
    record = check(row, fields, kind)
    if isinstance(record, RowOutcome):
        return record
    [outcome] = await take_many([(row, record)])
    return outcome


async def take_many(records: list[tuple[int, BssRecord]]) -> list[RowOutcome]:
    """Write checked records (each BSS id once), a bulk write per kind; outcomes in order."""
    by_kind: dict[type, list[int]] = {}
    for n, (_, record) in enumerate(records):
        by_kind.setdefault(type(record), []).append(n)
    outcomes: dict[int, str] = {}
    for schema, places in by_kind.items():
        done = await _WRITERS[schema]([records[n][1] for n in places])
        outcomes.update(zip(places, done, strict=True))
    return [
        RowOutcome(row=row, kind=getattr(r, "kind", None), id=r.id, outcome=Outcome(outcomes[n]))
        for n, (row, r) in enumerate(records)
    ]


def _customer(record: CustomerRecord) -> tuple[Customer, set[str]]:
    fields = {"name", "nic", "region", "address", "group_id"}
    customer = Customer(
        id=record.id,
        name=record.name,
        nic=record.nic,
        region=record.region,
        address=record.address,
        group_id=record.group_id,
        source_updated_at=record.updated_at,
    )
    if record.language is not None:
        customer.language = record.language
        fields.add("language")
    return customer, fields


def _account(record: AccountRecord) -> tuple[Account, set[str]]:
    account = Account(
        id=record.id,
        customer_id=record.customer_id,
        region=record.region,
        plan_id=record.plan_id,
        cycle_id=record.cycle_id,
        source_updated_at=record.updated_at,
    )
    return account, {"customer_id", "region", "plan_id", "cycle_id"}


def _stored(document: Any) -> dict[str, Any]:
    return document.model_dump(mode="python", by_alias=True, exclude={"revision_id", "id"})


def _invoice(record: InvoiceRecord) -> db.Upsert:
    invoice = Invoice(
        id=record.id,
        account_id=record.account_id,
        number=record.number,
        amount=Money(amount=record.amount, currency=record.currency),
        due_date=midnight(record.due_date),
        status=record.status,
        issued_on=midnight(record.issued_on) if record.issued_on else None,
        cycle_id=record.cycle_id,
        plan_id=record.plan_id,
        credited=Money.zero(record.currency),
        source_updated_at=record.updated_at,
        received_at=clock.now(),
    )
    stored = _stored(invoice)
    on_insert = {"credited": stored.pop("credited"), "credits": stored.pop("credits")}
    return db.Upsert(record.id, stored, on_insert=on_insert)


def _plain(model: type, record: BssRecord, values: dict[str, Any]) -> db.Upsert:
    document = model(id=record.id, source_updated_at=record.updated_at, **values)
    return db.Upsert(record.id, _stored(document))


def _plan(record: PlanRecord) -> db.Upsert:
    charge = Money(amount=record.charge, currency=record.currency)
    values = record.model_dump(include={"name", "product_type", "frequency", "active"})
    return _plain(ServicePlan, record, {**values, "charge": charge})


def _cycle(record: CycleRecord) -> db.Upsert:
    values = record.model_dump(include={"name", "frequency", "status"})
    days = {"starts_on": midnight(record.starts_on), "ends_on": midnight(record.ends_on)}
    return _plain(BillingCycle, record, {**values, **days})


def _group(record: GroupRecord) -> db.Upsert:
    return _plain(CustomerGroup, record, record.model_dump(include={"name", "description"}))


def _payment_method(record: PaymentMethodRecord) -> db.Upsert:
    keep = {"account_id", "type", "hint", "preferred", "status"}
    return _plain(PaymentMethod, record, record.model_dump(include=keep))


def _customers(model: type[Customer] | type[Account], prepare: Callable[[Any], Any]) -> Writer:
    async def write(records: list[Any]) -> list[str]:
        return await customers.take_from_bss(model, [prepare(r) for r in records])

    return write


def _billing(model: type, prepare: Callable[[Any], db.Upsert]) -> Writer:
    async def write(records: list[Any]) -> list[str]:
        return await repository.upsert_many(model, [prepare(r) for r in records])

    return write


Writer = Callable[[list[Any]], Awaitable[list[str]]]
_WRITERS: dict[type, Writer] = {
    CustomerRecord: _customers(Customer, _customer),
    AccountRecord: _customers(Account, _account),
    InvoiceRecord: _billing(Invoice, _invoice),
    PlanRecord: _billing(ServicePlan, _plan),
    CycleRecord: _billing(BillingCycle, _cycle),
    GroupRecord: _billing(CustomerGroup, _group),
    PaymentMethodRecord: _billing(PaymentMethod, _payment_method),
}


def unreadable(row: int, reason: str) -> RowOutcome:
    """A row that could not even be read as a record."""
    return RowOutcome(row=row, outcome=Outcome.REFUSED, reason=reason)
