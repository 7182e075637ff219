"""The ladder's last step: the account becomes an incident through intake, so it reaches
DRC placement as any incident does."""

from __future__ import annotations

from backend.cases.models import Action
from backend.core.errors import DomainError
from backend.core.logging import get_logger
from backend.core.settings import get_settings
from backend.customers.models import ContactKind, Customer
from backend.dunning import repository
from backend.dunning.models import LedgerEntry
from backend.dunning.standing import Reading
from backend.intake import service as intake
from backend.intake.schemas import CustomerIn, IncidentCreate, ProductIn

log = get_logger("debtx.dunning")


def _contact(customer: Customer, kind: ContactKind) -> str | None:
    found = sorted((c for c in customer.contacts if c.kind is kind), key=lambda c: not c.primary)
    return found[0].value if found else None


def incident_of(entry: LedgerEntry, reading: Reading) -> IncidentCreate:
    """The incident for an account the ladder did not cure: its products in arrears."""
    account, customer = reading.account, reading.customer
    assert customer is not None and reading.overdue_since is not None
    return IncidentCreate(
        external_ref=f"DUN-{account.id}-{entry.cycle}",
        action=Action.ARREARS,
        account_id=account.id,
        customer=CustomerIn(
            id=customer.id,
            name=customer.name,
            nic=customer.nic,
            region=customer.region,
            language=customer.language,
            mobile=_contact(customer, ContactKind.MOBILE),
            email=_contact(customer, ContactKind.EMAIL),
        ),
        products=[
            ProductIn(id=p.id, type=p.type, status=p.status, arrears=p.arrears)
            for p in account.products
            if p.arrears.amount > 0
        ],
        overdue_since=reading.overdue_since.date(),
    )


async def hand_over(entry: LedgerEntry, reading: Reading) -> None:
    """Register the incident (by DebtX itself) and note it, or why not, on the entry."""
    try:
        incident = await intake.register_incident(
            actor=None, data=incident_of(entry, reading), settings=get_settings().intake
        )
    except DomainError as exc:  # e.g. an open case already covers the account
        log.warning("dunning.handoff_refused", account_id=entry.account_id, code=exc.code)
        await repository.set_entry(entry.id, {"note": f"hand-off refused: {exc.code}"})
        return
    entry.incident_id = str(incident.id)
    await repository.set_entry(entry.id, {"incident_id": entry.incident_id})
