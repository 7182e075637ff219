"""Customers and their accounts: read within reach, contacts kept by officers, intake merges.

Intake adds what billing knows (names, products, arrears, contacts) and never removes
a contact; officers and supervisors change contacts one audited change at a time.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from backend.audit import service as audit
from backend.audit.service import Actor
from backend.cases import queries as case_queries
from backend.cases import service as cases
from backend.cases.models import Case
from backend.cases.queries import CaseFilters
from backend.cases.schemas import CaseSort
from backend.core import clock, db, pii
from backend.core.errors import Forbidden
from backend.customers import contacts, privacy, repository
from backend.customers.contacts import ContactBook
from backend.customers.errors import (
    AccountOwnerMismatch,
    BaseVersionUnknown,
    CustomerChanged,
    CustomerNotFound,
    DisputeAlreadyOpen,
    NoOpenDispute,
)
from backend.customers.merge import ContactMerge
from backend.customers.models import (
    Account,
    ContactKind,
    Customer,
    Dispute,
    Product,
    nic_form,
)
from backend.customers.schemas import (
    AccountFacts,
    AccountRead,
    ContactChange,
    ContactsUpdate,
    CustomerFacts,
    CustomerRead,
    CustomerRecord,
    ProductFacts,
    UpsertSummary,
)
from backend.users.models import User
from backend.worker.dispatch import reevaluate_accounts
from sync.protocol import Resolution


async def cpe_serials(*, account_id: str) -> set[str]:
    """Serials of the equipment on the account's products, as billing last sent them."""
    accounts = await repository.accounts_by_id([account_id])
    return {
        item.serial
        for account in accounts.values()
        for product in account.products
        for item in product.cpe
    }


async def read_model(customer: Customer) -> CustomerRead:
    accounts = await repository.accounts_of(customer.id)
    return CustomerRead.model_validate(
        {
            **customer.model_dump(),
            "accounts": [AccountRead.model_validate(a) for a in accounts],
        }
    )


async def _within_reach(actor: User, customer_id: str) -> bool:
    if actor.is_operator:
        return True
    page = await case_queries.list_cases(
        actor=actor,
        filters=CaseFilters(customer_id=customer_id),
        sort=CaseSort.UPDATED,
        cursor=None,
        limit=1,
    )
    return bool(page.items)


async def get_unscoped(
    customer_id: str, *, session: AsyncClientSession | None = None
) -> Customer | None:
    """A customer by id with no reach check, for system processes (messages, sweeps)."""
    return await repository.get(customer_id, session=session)


async def open_dispute(*, actor: User, customer_id: str, reason: str) -> CustomerRead:
    """Operator staff record that the customer disputes the debt: collection contact stops
    until it is closed (and every bill or payment dispute of theirs is resolved)."""
    _require_operator(actor)
    return await _change_hold(actor, customer_id, lambda hold: _debt_opened(hold, reason, actor))


async def close_dispute(*, actor: User, customer_id: str) -> CustomerRead:
    """Operator staff close the customer's dispute of the debt; collection contact may
    resume once no bill or payment dispute of theirs is open either."""
    _require_operator(actor)
    return await _change_hold(actor, customer_id, _debt_closed)


def _require_operator(actor: User) -> None:
    if not actor.is_operator:
        raise Forbidden("Only operator staff open and close disputes")


def _debt_opened(hold: Dispute | None, reason: str, actor: User) -> Dispute:
    if hold is None:
        return Dispute(reason=reason, opened_by=actor.id)
    if hold.debt:
        raise DisputeAlreadyOpen("The customer already disputes the debt")
    return hold.model_copy(update={"debt": True, "reason": reason, "opened_by": actor.id})


def _debt_closed(hold: Dispute | None) -> Dispute | None:
    if hold is None or not hold.debt:
        raise NoOpenDispute(
            "The customer does not dispute the debt (bill and payment "
            "disputes are resolved at /disputes)"
        )
    return hold.model_copy(update={"debt": False}) if hold.billing_disputes else None


async def _change_hold(
    actor: User, customer_id: str, change: Callable[[Dispute | None], Dispute | None]
) -> CustomerRead:
    async with db.transaction() as session:
        customer = await _customer(customer_id, session)
        await _store_dispute(actor, customer, change(customer.dispute), session)
    await reevaluate_accounts([a.id for a in await repository.accounts_of(customer_id)])
    return await read_model(customer)


async def _customer(customer_id: str, session: AsyncClientSession) -> Customer:
    customer = await repository.get(customer_id, session=session)
    if customer is None:
        raise CustomerNotFound(f"No customer {customer_id}")
    return customer


async def hold_for_field_dispute(
    *, actor: User, customer_id: str, reason: str, session: AsyncClientSession
) -> None:
    """The customer disputed the debt to an officer: hold collection contact (as an
    operator's dispute does) until operator staff close it; one already open stays."""
    customer = await repository.get(customer_id, session=session)
    if customer is None or (customer.dispute is not None and customer.dispute.debt):
        return
    reason = f"raised to the officer: {reason}"
    hold = customer.dispute
    if hold is None:
        held = Dispute(reason=reason, opened_by=actor.id)
    else:
        held = hold.model_copy(update={"debt": True, "reason": reason, "opened_by": actor.id})
    await _store_dispute(actor, customer, held, session)


async def hold_for_billing_dispute(
    *,
    actor: User | None,
    customer_id: str,
    dispute_id: str,
    reason: str,
    session: AsyncClientSession,
) -> None:
    """A bill or payment dispute was raised (by staff, or by DebtX for a provider's
    refund): collection contact is held until it, and every other one, is resolved."""
    customer = await _customer(customer_id, session)
    opened_by = actor.id if actor else None
    hold = customer.dispute or Dispute(reason=reason, opened_by=opened_by, debt=False)
    held = hold.model_copy(update={"billing_disputes": [*hold.billing_disputes, dispute_id]})
    await _store_dispute(actor, customer, held, session)


async def release_billing_dispute(
    *, actor: User, customer_id: str, dispute_id: str, session: AsyncClientSession
) -> bool:
    """A bill or payment dispute was resolved: the hold lifts if it was the last and the
    debt itself is not disputed. True when collection contact may resume."""
    customer = await _customer(customer_id, session)
    hold = customer.dispute
    if hold is None or dispute_id not in hold.billing_disputes:
        return hold is None
    left = [d for d in hold.billing_disputes if d != dispute_id]
    held = hold.model_copy(update={"billing_disputes": left}) if left or hold.debt else None
    await _store_dispute(actor, customer, held, session)
    return held is None


async def _store_dispute(
    actor: User | None, customer: Customer, dispute: Dispute | None, session: AsyncClientSession
) -> None:
    before = customer.dispute
    customer.updated_at = clock.now()
    await repository.set_dispute(customer, dispute, session=session)
    action = "customer.dispute_change"
    if before is None or dispute is None:
        action = "customer.dispute_open" if dispute else "customer.dispute_close"
    await audit.record(
        actor=actor,
        action=action,
        entity_type="customer",
        entity_id=customer.id,
        before={"dispute": before.model_dump(mode="json") if before else None},
        after={"dispute": dispute.model_dump(mode="json") if dispute else None},
        session=session,
    )
    await cases.touch_customer(customer.id, action="customer.dispute", session=session)
    customer.dispute, customer.version = dispute, customer.version + 1


async def get_for(*, actor: User, customer_id: str) -> CustomerRead:
    """A customer with contacts and accounts, if the actor may see one of their cases."""
    customer = await repository.get(customer_id)
    if customer is None or not await _within_reach(actor, customer_id):
        raise CustomerNotFound(f"No customer {customer_id}")
    await privacy.record_pii_read(actor=actor, customer_id=customer_id, via="api.customer")
    return await read_model(customer)


async def update_contacts(
    *, actor: User, case: Case, data: ContactsUpdate, session: AsyncClientSession | None = None
) -> CustomerRead:
    """Add, correct or remove contacts of the case's customer; each change audited."""
    cases.require_worker(actor, case)
    async with db.transaction(session) as session:
        customer = await _customer_of(case, session)
        if customer.version != data.base_version:
            raise CustomerChanged(
                f"Customer is at version {customer.version}, not {data.base_version}",
                current_version=customer.version,
            )
        await _write_contacts(actor, case, customer, data.changes, session)
    return await read_model(customer)


async def merge_contacts(
    *,
    actor: User,
    case: Case,
    changes: list[ContactChange],
    base_version: int,
    device_time: datetime,
    session: AsyncClientSession,
) -> tuple[Customer, list[Resolution]]:
    """Apply contact changes made offline against `base_version`, merging field by field
    with what changed since (backend/customers/merge.py); returns the clashes settled."""
    cases.require_worker(actor, case)
    customer = await _customer_of(case, session)
    if base_version > customer.version:
        raise BaseVersionUnknown(
            f"Customer is at version {customer.version}; {base_version} was never issued",
            current_version=customer.version,
        )
    merged = ContactMerge(
        customer.contacts, base_version=base_version, device_time=device_time
    ).add(changes)
    if merged.changes:
        await _write_contacts(actor, case, customer, merged.changes, session)
    return customer, merged.resolutions


async def _customer_of(case: Case, session: AsyncClientSession) -> Customer:
    customer = await repository.get(case.customer_id, session=session)
    if customer is None:
        raise CustomerNotFound(f"No customer {case.customer_id}")
    return customer


async def _write_contacts(
    actor: User,
    case: Case,
    customer: Customer,
    changes: list[ContactChange],
    session: AsyncClientSession,
) -> None:
    book = ContactBook(
        customer.contacts, actor_uid=actor.id, source="field", version=customer.version + 1
    )
    for index, change in enumerate(changes):
        book.apply(index, change)
    if not book.events:
        return
    customer.updated_at = book.now
    await repository.set_contacts(customer, book.contacts, session=session)
    await _audit_contacts(actor, customer.id, book, case.drc_id, session)
    await cases.touch_customer(customer.id, action="customer.contacts", session=session)
    customer.contacts = book.contacts
    customer.version += 1


async def _audit_contacts(
    actor: Actor,
    customer_id: str,
    book: ContactBook,
    drc_id: str | None,
    session: AsyncClientSession,
) -> None:
    for event in book.events:
        await audit.record(
            actor=actor,
            action=event.action,
            entity_type="customer",
            entity_id=customer_id,
            before=contacts.audited(event.before),
            after=contacts.audited(event.after),
            drc_id=drc_id,
            session=session,
        )


async def upsert_many(
    *, records: list[CustomerRecord], source: str, session: AsyncClientSession
) -> UpsertSummary:
    """Create or refresh customers and accounts from intake, in the caller's transaction."""
    customer_ids = list(dict.fromkeys(r.customer.id for r in records))
    account_ids = list(dict.fromkeys(r.account.id for r in records))
    merge = _Merge(
        await repository.customers_by_id(customer_ids, session=session),
        await repository.accounts_by_id(account_ids, session=session),
        source=source,
    )
    for record in records:
        merge.customer(record.customer)
        merge.account(record.account)
    await repository.write(Customer, *merge.split(merge.customers), session=session)
    await repository.write(Account, *merge.split(merge.accounts), session=session)
    return merge.summary()


class _Merge:
    """Stored customers and accounts with intake's facts folded in, tracking what changed."""

    def __init__(
        self, customers: dict[str, Customer], accounts: dict[str, Account], *, source: str
    ) -> None:
        self.customers: dict[str, tuple[Customer, int | None]] = {}
        self.accounts: dict[str, tuple[Account, int | None]] = {}
        self.stored_customers = customers
        self.stored_accounts = accounts
        self.source = source
        self.now = clock.now()

    def customer(self, facts: CustomerFacts) -> None:
        known = self.customers.get(facts.id)
        if known is None and facts.id in self.stored_customers:
            stored = self.stored_customers[facts.id]
            known = (stored.model_copy(deep=True), stored.version)
        if known is None:
            known = (Customer(id=facts.id, name=facts.name, created_at=self.now), None)
        customer, read_at = known
        before = customer.model_dump(exclude={"updated_at", "version"})
        for field in ("name", "nic", "region", "address", "language"):
            value = getattr(facts, field)
            if value is not None:
                setattr(customer, field, value)
        book = ContactBook(customer.contacts, actor_uid=None, source=self.source)
        for kind, value in facts.contacts:
            book.add_known(kind, value)
        customer.contacts = book.contacts
        if read_at is None or customer.model_dump(exclude={"updated_at", "version"}) != before:
            customer.minimised_at = None  # billing sent details again: they are kept anew
            self._touch(customer, read_at)
        self.customers[facts.id] = (customer, read_at)

    def account(self, facts: AccountFacts) -> None:
        known = self.accounts.get(facts.id)
        if known is None and facts.id in self.stored_accounts:
            stored = self.stored_accounts[facts.id]
            known = (stored.model_copy(deep=True), stored.version)
        if known is None:
            known = (Account(id=facts.id, customer_id=facts.customer_id, created_at=self.now), None)
        account, read_at = known
        if account.customer_id != facts.customer_id:
            raise AccountOwnerMismatch(
                f"Account {facts.id} belongs to customer {account.customer_id}",
                account_id=facts.id,
                field="customer_id",
            )
        before = account.model_dump(exclude={"updated_at", "version"})
        account.region = facts.region or account.region
        account.products = _merge_products(account.products, facts.products)
        if read_at is None or account.model_dump(exclude={"updated_at", "version"}) != before:
            self._touch(account, read_at)
        self.accounts[facts.id] = (account, read_at)

    def _touch(self, document: Customer | Account, read_at: int | None) -> None:
        document.updated_at = self.now
        document.version = 1 if read_at is None else read_at + 1

    @staticmethod
    def split(known: dict) -> tuple[list, list]:
        """(documents to insert, (document, version read at) to replace)."""
        created = [doc for doc, read_at in known.values() if read_at is None]
        changed = [
            (doc, read_at)
            for doc, read_at in known.values()
            if read_at is not None and doc.version != read_at
        ]
        return created, changed

    def summary(self) -> UpsertSummary:
        customers_new, customers_changed = self.split(self.customers)
        accounts_new, accounts_changed = self.split(self.accounts)
        return UpsertSummary(
            customers_created=[c.id for c in customers_new],
            customers_updated=[c.id for c, _ in customers_changed],
            accounts_created=[a.id for a in accounts_new],
            accounts_updated=[a.id for a, _ in accounts_changed],
        )


def _merge_products(stored: list[Product], incoming: list[ProductFacts]) -> list[Product]:
    """Billing's view of each product wins; CPE items are added by serial, never dropped."""
    products = {p.id: p for p in stored}
    for facts in incoming:
        current = products.get(facts.id)
        cpe = {item.serial: item for item in (current.cpe if current else [])}
        cpe.update({item.serial: item for item in facts.cpe})
        arrears = facts.arrears
        if arrears is None and current is not None:
            arrears = current.arrears
        products[facts.id] = Product(
            id=facts.id,
            type=facts.type,
            status=facts.status,
            cpe=list(cpe.values()),
            **({"arrears": arrears} if arrears is not None else {}),
        )
    return list(products.values())


async def ids_with_phone(number: str, *, limit: int = 100) -> list[str]:
    """Customers with this phone number among their contacts, separators ignored; none when
    `number` is not a phone number. No reach check: callers search within their own reach."""
    try:
        phone = contacts.normalise(ContactKind.MOBILE, number)
    except ValueError:
        return []
    return await repository.ids_with_search_key([pii.index("phone", phone)], limit=limit)


# an id as intake takes it, with the digits every national or business id carries
_NIC = re.compile(r"^(?=(?:[^0-9]*[0-9]){5})[A-Z0-9/-]{4,20}$")


async def ids_with_nic(nic: str, *, limit: int = 100) -> list[str]:
    """Customers with this national id (case and spaces ignored), by its search hash;
    none for a term no id looks like (the lookup is a pass over the customers)."""
    form = nic_form(nic)
    if not _NIC.match(form):
        return []
    return await repository.ids_with_nic_key(pii.index("nic", form), limit=limit)


async def ids_with_phone_or_nic(term: str, *, limit: int = 100) -> list[str]:
    """Customers whose phone number or national id is `term`, for a search box."""
    found = await ids_with_phone(term, limit=limit) + await ids_with_nic(term, limit=limit)
    return list(dict.fromkeys(found))[:limit]


def phone_forms(number: str) -> list[str]:
    """The stored forms a number from a gateway may take: as sent, with or without the
    leading +, and a Sri Lankan local number (07...) in its +94 form."""
    try:
        phone = contacts.normalise(ContactKind.MOBILE, number)
    except ValueError:
        return []
    digits = phone.lstrip("+")
    forms = [phone, digits, f"+{digits}"]
    if digits.startswith("0") and len(digits) == 10:
        forms.append(f"+94{digits[1:]}")
    return list(dict.fromkeys(forms))


async def ids_with_mobile(number: str, *, limit: int = 10) -> list[str]:
    """Customers holding this mobile number in any of its forms; for matching replies."""
    keys = [pii.index("phone", form) for form in phone_forms(number)]
    return await repository.ids_with_search_key(keys, limit=limit) if keys else []


async def ids_with_email(address: str, *, limit: int = 10) -> list[str]:
    """Customers holding this email address (compared as stored: lower case)."""
    try:
        email = contacts.normalise(ContactKind.EMAIL, address)
    except ValueError:
        return []
    return await repository.ids_with_search_key([pii.index("email", email)], limit=limit)


async def account_ids_of(customer_id: str) -> list[str]:
    """The customer's billing account numbers."""
    return [a.id for a in await repository.accounts_of(customer_id)]


async def get_account(account_id: str) -> Account | None:
    """An account by id with no reach check, for system processes (dunning)."""
    return await repository.get_account(account_id)


async def accounts_by_ids(account_ids: list[str]) -> dict[str, Account]:
    """Accounts by id in one query, with no reach check, for system processes (dunning)."""
    return await repository.many_accounts(account_ids)


async def customers_unscoped(customer_ids: list[str]) -> dict[str, Customer]:
    """Customers by id in one query, with no reach check, for system processes."""
    return await repository.many_customers(customer_ids)


def account_id_batches(*, size: int) -> AsyncIterator[list[str]]:
    """Every account id in id order, `size` at a time, from one pass over the accounts."""
    return repository.account_id_batches(size)


async def take_from_bss(
    model: type[Customer] | type[Account], documents: list[tuple[Any, set[str]]]
) -> list[str]:
    """Store BSS's word on customers or accounts unless DebtX holds a newer one: created,
    updated, unchanged or stale each. Only the given fields are BSS's to change on a
    stored one."""
    return await repository.upsert_from_bss(model, documents)


# Retention: a customer with nothing open for years keeps only what statistics need.


def minimised_name(customer_id: str) -> str:
    """The stable placeholder that replaces a minimised customer's name everywhere."""
    digest = hashlib.sha256(customer_id.encode()).hexdigest()[:10]
    return f"Customer {digest}"


async def not_minimised_before(
    cutoff: datetime, *, after: str | None, limit: int
) -> list[Customer]:
    """Customers unchanged since `cutoff` whose details are still kept, by id."""
    return await repository.not_minimised_before(cutoff, after=after, limit=limit)


async def minimise(*, actor: Actor | None, customer: Customer, session: AsyncClientSession) -> str:
    """Replace the customer's name, national id, address and contact values with stable
    placeholders (kinds, flags, region, language and accounts stay); the new name."""
    name = minimised_name(customer.id)
    marker = name.removeprefix("Customer ")
    contact_rows = [
        {**c.model_dump(mode="python"), "value": f"minimised-{marker}-{c.id}"}
        for c in customer.contacts
    ]
    fields = {
        "name": name,
        "nic": None if customer.nic is None else f"minimised-{marker}",
        "address": None if customer.address is None else f"minimised-{marker}",
        "contacts": contact_rows,
        "search_keys": [],  # no lookup finds a minimised customer by what they had
        "nic_key": None,
        "minimised_at": clock.now(),
        "updated_at": clock.now(),
    }
    await repository.set_minimised(customer, fields, session=session)
    await audit.record(
        actor=actor,
        action="customer.minimise",
        entity_type="customer",
        entity_id=customer.id,
        after={"contacts": len(contact_rows)},
        session=session,
    )
    return name
