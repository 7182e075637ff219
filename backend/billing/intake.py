"""BSS's records taken in, one at a time, whatever brought them (a feed row, a push).

Each is checked against its kind's schema, then written by its BSS id in one conditional
write that only replaces an older version (by BSS's own `updated_at`): the same record
twice is `unchanged`, an older one `stale`, and a concurrent writer never loses a newer
version. Customers and accounts are the customers domain's documents."""

from __future__ import annotations

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
from backend.core import clock
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
    return await take(record, row=row)


async def take(record: BssRecord, *, row: int = 1) -> RowOutcome:
    """Write one checked record; its outcome."""
    outcome = await _WRITERS[type(record)](record)
    kind = getattr(record, "kind", None)
    return RowOutcome(row=row, kind=kind, id=record.id, outcome=Outcome(outcome))


async def _customer(record: CustomerRecord) -> str:
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
    return await customers.take_from_bss(customer, fields=fields)


async def _account(record: AccountRecord) -> str:
    account = Account(
        id=record.id,
        customer_id=record.customer_id,
        region=record.region,
        plan_id=record.plan_id,
        cycle_id=record.cycle_id,
        source_updated_at=record.updated_at,
    )
    return await customers.take_from_bss(
        account, fields={"customer_id", "region", "plan_id", "cycle_id"}
    )


async def _invoice(record: InvoiceRecord) -> str:
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
    stored = invoice.model_dump(mode="python", by_alias=True, exclude={"revision_id", "id"})
    on_insert = {"credited": stored.pop("credited"), "credits": stored.pop("credits")}
    return await repository.upsert(Invoice, record.id, stored, on_insert=on_insert)


async def _plain(model: type, record: BssRecord, values: dict[str, Any]) -> str:
    document = model(id=record.id, source_updated_at=record.updated_at, **values)
    stored = document.model_dump(mode="python", by_alias=True, exclude={"revision_id", "id"})
    return await repository.upsert(model, record.id, stored)


async def _plan(record: PlanRecord) -> str:
    charge = Money(amount=record.charge, currency=record.currency)
    values = record.model_dump(include={"name", "product_type", "frequency", "active"})
    return await _plain(ServicePlan, record, {**values, "charge": charge})


async def _cycle(record: CycleRecord) -> str:
    values = record.model_dump(include={"name", "frequency", "status"})
    days = {"starts_on": midnight(record.starts_on), "ends_on": midnight(record.ends_on)}
    return await _plain(BillingCycle, record, {**values, **days})


async def _group(record: GroupRecord) -> str:
    return await _plain(CustomerGroup, record, record.model_dump(include={"name", "description"}))


async def _payment_method(record: PaymentMethodRecord) -> str:
    keep = {"account_id", "type", "hint", "preferred", "status"}
    return await _plain(PaymentMethod, record, record.model_dump(include=keep))


_WRITERS: dict[type, Any] = {
    CustomerRecord: _customer,
    AccountRecord: _account,
    InvoiceRecord: _invoice,
    PlanRecord: _plan,
    CycleRecord: _cycle,
    GroupRecord: _group,
    PaymentMethodRecord: _payment_method,
}


def unreadable(row: int, reason: str) -> RowOutcome:
    """A row that could not even be read as a record."""
    return RowOutcome(row=row, outcome=Outcome.REFUSED, reason=reason)
