"""From validated input to an incident and its case: the rules both intake paths share.

A draft is one incident as the operator or a file describes it. `check` applies the
business rules (action against data, one currency, dates not in the future);
`prepare` turns a valid draft into the Incident, the Case, its open keys and what the
customers domain should merge.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from bson import ObjectId

from backend.cases.models import Action, Case, PartStatus, open_key
from backend.core import clock
from backend.core.money import DEFAULT_CURRENCY, Money
from backend.customers import contacts
from backend.customers.models import ContactKind, CpeItem, ProductStatus
from backend.customers.schemas import AccountFacts, CustomerFacts, CustomerRecord, ProductFacts
from backend.intake.models import Incident, IncidentSource, RowProblem
from backend.intake.rows import IntakeRow, ParsedRow
from backend.intake.schemas import IncidentCreate

MAX_PRODUCTS = 100
MAX_ARREARS = 10**13  # Money's own bound, in minor units
# No time zone's today is refused: the latest calendar date anywhere on Earth.
_LATEST_OFFSET = timedelta(hours=14)


@dataclass
class IncidentDraft:
    external_ref: str | None
    action: Action
    account_id: str
    customer: CustomerFacts
    products: list[ProductFacts]
    overdue_since: date
    arrears: Money | None = None  # given for the whole incident (manual registration)
    first_row: int | None = None

    def total_arrears(self) -> Money:
        """The arrears given for the incident, else the sum of its products' arrears."""
        if self.arrears is not None:
            return self.arrears
        amounts = [p.arrears for p in self.products if p.arrears is not None]
        currency = amounts[0].currency if amounts else DEFAULT_CURRENCY
        return Money(amount=sum(a.amount for a in amounts), currency=currency)

    def cpe_items(self) -> list[CpeItem]:
        return [item for p in self.products for item in p.cpe]


def today() -> date:
    return (clock.now() + _LATEST_OFFSET).date()


def check(draft: IncidentDraft, *, currencies: list[str]) -> list[tuple[str, str]]:
    """Business-rule problems as (field, reason); field names are the file's columns."""
    problems: list[tuple[str, str]] = []
    given = [p.arrears for p in draft.products if p.arrears is not None]
    total = sum(a.amount for a in given)
    if draft.arrears is not None:
        if given and total != draft.arrears.amount:
            problems.append(("arrears", "differs from the sum of the products' arrears"))
        total = draft.arrears.amount
        given.append(draft.arrears)
    found = sorted({a.currency for a in given})
    if len(found) > 1:
        problems.append(("currency", f"one incident has one currency, found {', '.join(found)}"))
    elif found and found[0] not in currencies:
        problems.append(("currency", f"{found[0]} is not accepted ({', '.join(currencies)})"))
    if total > MAX_ARREARS:
        problems.append(("arrears", "the incident's arrears are beyond any real balance"))
    if draft.action.wants_arrears and total <= 0:
        problems.append(("arrears", f"action {draft.action} needs arrears above zero"))
    if draft.action.wants_cpe and not draft.cpe_items():
        problems.append(("cpe_serial", f"action {draft.action} needs at least one CPE item"))
    if draft.overdue_since > today():
        problems.append(("overdue_since", "is in the future"))
    if len(draft.products) > MAX_PRODUCTS:
        problems.append(("product_id", f"an incident has at most {MAX_PRODUCTS} products"))
    return problems


@dataclass
class Prepared:
    """A valid draft as the documents intake writes."""

    incident: Incident
    case: Case
    keys: list[str]
    record: CustomerRecord


def prepare(
    draft: IncidentDraft,
    *,
    source: IncidentSource,
    actor_id: str | None,
    batch_id: str | None = None,
) -> Prepared:
    """The incident, its case (one for all the account's products) and its open keys."""
    arrears = draft.total_arrears()
    overdue = datetime.combine(draft.overdue_since, time.min, tzinfo=UTC)
    incident = Incident(
        id=ObjectId(),
        source=source,
        external_ref=draft.external_ref or f"{source.value}-{ObjectId()}",
        action=draft.action,
        account_id=draft.account_id,
        customer_id=draft.customer.id,
        customer_name=draft.customer.name,
        product_ids=[p.id for p in draft.products],
        arrears=arrears,
        overdue_since=overdue,
        created_by=actor_id,
        batch_id=batch_id,
        row=draft.first_row,
    )
    return Prepared(
        incident=incident,
        case=_case(draft, incident, arrears, overdue),
        keys=[open_key(draft.account_id, p.id, draft.action) for p in draft.products],
        record=CustomerRecord(
            customer=draft.customer,
            account=AccountFacts(
                id=draft.account_id,
                customer_id=draft.customer.id,
                region=draft.customer.region,
                products=draft.products,
            ),
        ),
    )


def _case(draft: IncidentDraft, incident: Incident, arrears: Money, overdue: datetime) -> Case:
    action = draft.action
    return Case(
        incident_id=str(incident.id),
        customer_id=draft.customer.id,
        customer_name=draft.customer.name,
        account_id=draft.account_id,
        product_ids=incident.product_ids,
        action=action,
        region=draft.customer.region,
        arrears=arrears,
        outstanding=arrears if action.wants_arrears else Money.zero(arrears.currency),
        overdue_since=overdue,
        cpe_items=draft.cpe_items() if action.wants_cpe else [],
        arrears_status=PartStatus.OPEN if action.wants_arrears else PartStatus.NOT_REQUIRED,
        cpe_status=PartStatus.OPEN if action.wants_cpe else PartStatus.NOT_REQUIRED,
    )


# --------------------------------------------------------------------------- files

_CUSTOMER_COLUMNS = ("customer_id", "customer_name", "nic", "region", "address", "language")
_PRODUCT_COLUMNS = ("product_type", "product_status", "arrears", "currency")
_CONTACT_COLUMNS = {
    "mobile": ContactKind.MOBILE,
    "landline": ContactKind.LANDLINE,
    "email": ContactKind.EMAIL,
    "address": ContactKind.ADDRESS,
}


@dataclass
class _Agreement:
    """Columns that must hold one value across an incident's rows (blank cells aside)."""

    seen: dict[str, tuple[object, int]] = field(default_factory=dict)

    def check(self, row: ParsedRow, values: IntakeRow, columns: tuple[str, ...], scope: str):
        for column in columns:
            value = getattr(values, column)
            if value is None:
                continue
            first = self.seen.setdefault(f"{scope}|{column}", (value, row.line))
            if first[0] != value:
                yield RowProblem(
                    row=row.line,
                    field=column,
                    reason=f"differs from row {first[1]} of the same incident",
                )

    def value(self, scope: str, column: str) -> object:
        found = self.seen.get(f"{scope}|{column}")
        return found[0] if found else None


def draft_from_rows(rows: list[ParsedRow]) -> tuple[IncidentDraft | None, list[RowProblem]]:
    """One incident from a run of valid rows with the same account and action."""
    agreement = _Agreement()
    problems: list[RowProblem] = []
    products: dict[str, list[CpeItem]] = {}
    found: dict[tuple[ContactKind, str], None] = {}
    for row in rows:
        values = row.values
        assert values is not None
        problems += agreement.check(row, values, ("external_ref", *_CUSTOMER_COLUMNS), "")
        problems += agreement.check(row, values, _PRODUCT_COLUMNS, values.product_id)
        problems += _cpe(row, values, products.setdefault(values.product_id, []))
        for column, kind in _CONTACT_COLUMNS.items():
            if getattr(values, column) is not None:
                found[(kind, getattr(values, column))] = None
    if problems:
        return None, problems
    first = rows[0].values
    assert first is not None
    return IncidentDraft(
        external_ref=first.external_ref,
        action=first.action,
        account_id=first.account_id,
        customer=_customer(agreement, list(found)),
        products=[_product(agreement, pid, items) for pid, items in products.items()],
        overdue_since=min(r.values.overdue_since for r in rows if r.values),
        first_row=rows[0].line,
    ), []


def _cpe(row: ParsedRow, values: IntakeRow, items: list[CpeItem]) -> list[RowProblem]:
    """The row's CPE item, if it names one, added to its product's items."""
    parts = {
        "cpe_serial": values.cpe_serial,
        "cpe_model": values.cpe_model,
        "cpe_type": values.cpe_type,
    }
    missing = [name for name, value in parts.items() if value is None]
    if len(missing) == len(parts):
        return []
    if missing:
        reason = f"a CPE item needs a serial, model and type; {', '.join(missing)} missing"
        return [RowProblem(row=row.line, field=missing[0], reason=reason)]
    items.append(CpeItem(serial=values.cpe_serial, model=values.cpe_model, type=values.cpe_type))
    return []


def _customer(agreement: _Agreement, found: list[tuple[ContactKind, str]]) -> CustomerFacts:
    values = {c: agreement.value("", c) for c in _CUSTOMER_COLUMNS}
    return CustomerFacts(
        id=values["customer_id"],
        name=values["customer_name"],
        nic=values["nic"],
        region=values["region"],
        address=values["address"],
        language=values["language"],
        contacts=found,
    )


def _product(agreement: _Agreement, product_id: str, items: list[CpeItem]) -> ProductFacts:
    amount = agreement.value(product_id, "arrears")
    currency = agreement.value(product_id, "currency") or DEFAULT_CURRENCY
    return ProductFacts(
        id=product_id,
        type=agreement.value(product_id, "product_type"),
        status=agreement.value(product_id, "product_status") or ProductStatus.ACTIVE,
        arrears=Money(amount=amount, currency=currency) if amount is not None else None,
        cpe=items,
    )


# --------------------------------------------------------------------------- one incident

# check() names the file's columns; the registration body names them differently.
BODY_FIELDS = {"cpe_serial": "products", "product_id": "products", "currency": "arrears"}


def draft_from_request(data: IncidentCreate) -> tuple[IncidentDraft, list[tuple[str, str]]]:
    """The draft of a registration, with (body field, reason) for every problem found."""
    problems: list[tuple[str, str]] = []
    customer_contacts: list[tuple[ContactKind, str]] = []
    for name, kind in _CONTACT_COLUMNS.items():
        value = getattr(data.customer, name)
        if value is None:
            continue
        try:
            customer_contacts.append((kind, contacts.normalise(kind, value)))
        except ValueError as exc:
            problems.append((f"customer.{name}", str(exc)))
    ids = [p.id for p in data.products]
    if len(set(ids)) != len(ids):
        problems.append(("products", "each product may be listed once"))
    address = next((v for k, v in customer_contacts if k is ContactKind.ADDRESS), None)
    draft = IncidentDraft(
        external_ref=data.external_ref,
        action=data.action,
        account_id=data.account_id,
        customer=CustomerFacts(
            **data.customer.model_dump(include={"id", "name", "nic", "region", "language"}),
            address=address,
            contacts=customer_contacts,
        ),
        products=[
            ProductFacts(
                id=p.id,
                type=p.type,
                status=p.status,
                arrears=p.arrears,
                cpe=[CpeItem(**item.model_dump()) for item in p.cpe],
            )
            for p in data.products
        ],
        overdue_since=data.overdue_since,
        arrears=data.arrears,
    )
    return draft, problems
