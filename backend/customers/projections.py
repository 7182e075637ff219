"""The customer and products sections of the officer's case document (Firestore)."""

from __future__ import annotations

from pydantic import Field

from backend.cases.models import Case
from backend.cases.sections import CaseSection, Section
from backend.core.money import Money
from backend.core.projection import MirrorModel
from backend.customers import repository
from backend.customers.models import Account, ContactKind, Customer, Language, ProductStatus


class ContactPart(MirrorModel):
    id: str
    kind: ContactKind
    value: str
    primary: bool
    verified: bool


class CustomerPart(MirrorModel):
    id: str
    name: str
    language: Language
    time_zone: str
    region: str | None
    address: str | None
    contacts: list[ContactPart]
    version: int = Field(description="Send as `base_version` with customer.update_contact")
    disputed: bool = Field(description="A dispute is open: no collection contact until closed")


class ProductPart(MirrorModel):
    id: str
    type: str
    status: ProductStatus
    arrears: Money


async def _customers(found: list[Case]) -> dict[str, Customer]:
    """The cases' customers by id, in one query, with no reach check (the mirror)."""
    return await repository.many_customers([c.customer_id for c in found])


def _customer(case: Case, customers: dict[str, Customer]) -> CustomerPart | None:
    customer = customers.get(case.customer_id)
    if customer is None:
        return None
    return CustomerPart(
        id=customer.id,
        name=customer.name,
        language=customer.language,
        time_zone=customer.time_zone,
        region=customer.region,
        address=customer.address,
        contacts=[
            ContactPart(id=c.id, kind=c.kind, value=c.value, primary=c.primary, verified=c.verified)
            for c in customer.contacts
        ],
        version=customer.version,
        disputed=customer.dispute is not None,
    )


async def _accounts(found: list[Case]) -> dict[str, Account]:
    """The cases' accounts by id, in one query, with no reach check (the mirror)."""
    return await repository.many_accounts([c.account_id for c in found])


def _products(case: Case, accounts: dict[str, Account]) -> list[ProductPart]:
    account = accounts.get(case.account_id)
    if account is None:
        return []
    wanted = set(case.product_ids)
    return [
        ProductPart(id=p.id, type=p.type, status=p.status, arrears=p.arrears)
        for p in account.products
        if p.id in wanted
    ]


CUSTOMER = CaseSection(
    Section.CUSTOMER,
    CustomerPart | None,
    load=_customers,
    build=_customer,
    description="Null only if the customer record is gone",
)
PRODUCTS = CaseSection(
    Section.PRODUCTS,
    list[ProductPart],
    load=_accounts,
    build=_products,
    description="The case's products on its account",
)
