"""Customers with nothing open for years keep only what statistics need: name, national
id, address and contact values become stable placeholders, in every copy."""

from __future__ import annotations

from datetime import timedelta

from backend.cases.models import Case
from backend.core import clock, db
from backend.core.money import Money
from backend.core.settings import RetentionSettings
from backend.customers import service as customers
from backend.customers.models import Customer
from backend.customers.schemas import AccountFacts as CustomerAccountFacts
from backend.customers.schemas import CustomerFacts, CustomerRecord
from backend.dunning.models import Standing
from backend.intake.models import Incident, IncidentSource
from backend.notifications.models import Audience, Channel, Delivery, DeliveryStatus
from backend.responses.models import Response, ResponseChannel
from backend.retention import service
from backend.retention.models import ArchivedCase
from backend.segments.models import AccountFacts
from tests.backend.retention.helpers import worked_case

EIGHT_YEARS = timedelta(days=8 * 366)


async def _with_copies(case: Case) -> None:
    """The customer's details where other records keep them: an incident, a message
    sent, a reply received."""
    await Customer.get_pymongo_collection().update_one(
        {"_id": case.customer_id}, {"$set": {"nic": "199012345678", "address": "12 Galle Rd"}}
    )
    await Incident(
        source=IncidentSource.MANUAL,
        external_ref=f"REF-{case.id}",
        action=case.action,
        account_id=case.account_id,
        customer_id=case.customer_id,
        customer_name=case.customer_name,
        product_ids=case.product_ids,
        arrears=Money(amount=1000),
        overdue_since=clock.now(),
        case_id=str(case.id),
    ).insert()
    await Delivery(
        channel=Channel.SMS,
        audience=Audience.CUSTOMER,
        kind="payment_reminder",
        customer_id=case.customer_id,
        body=f"Dear {case.customer_name}, please pay",
        to="+94771234567",
        status=DeliveryStatus.SENT,
    ).insert()
    await Response(
        source_key=f"sms|{case.id}",
        channel=ResponseChannel.SMS,
        sender="+94771234567",
        text="I will pay on Friday, Nimal",
        customer_id=case.customer_id,
        received_at=clock.now(),
    ).insert()


async def test_a_customer_long_gone_is_minimised_everywhere(settings):
    # deliveries kept for a century here, so the minimised one is still there to read
    keep_deliveries = RetentionSettings(batch_size=2, delivery_log_days=36_500)
    retention_settings = settings.model_copy(update={"retention": keep_deliveries})
    closed = await worked_case(close=True)
    active = await worked_case(close=False)
    for case in (closed, active):
        await _with_copies(case)
    done = await service.run(actor=None, settings=retention_settings, now=clock.now() + EIGHT_YEARS)
    assert done.minimised_customers.sample == [closed.customer_id]
    placeholder = customers.minimised_name(closed.customer_id)
    gone = await Customer.get(closed.customer_id)
    assert gone is not None and gone.minimised_at is not None
    assert gone.name == placeholder and placeholder != closed.customer_name
    assert gone.nic and "1990" not in gone.nic and gone.address and "Galle" not in gone.address
    assert gone.contacts and all(c.value.startswith("minimised-") for c in gone.contacts)
    assert gone.region == "Western" and gone.contacts[0].kind == "mobile"  # kept for figures
    archived = await ArchivedCase.get(closed.id)
    assert archived is not None and archived.case["customer_name"] == placeholder
    incident = await Incident.find_one({"customer_id": closed.customer_id})
    assert incident is not None and incident.customer_name == placeholder
    sent = await Delivery.find_one({"customer_id": closed.customer_id})
    assert sent is not None and sent.to is None and sent.body == ""
    assert sent.status is DeliveryStatus.SENT  # what happened stays countable
    reply = await Response.find_one({"customer_id": closed.customer_id})
    assert reply is not None and reply.text == "" and reply.sender == "minimised"
    # the customer with an open case keeps everything
    kept = await Customer.get(active.customer_id)
    assert kept is not None and kept.minimised_at is None and kept.nic == "199012345678"
    delivery = await Delivery.find_one({"customer_id": active.customer_id})
    assert delivery is not None and delivery.to == "+94771234567"


async def test_the_live_cases_of_a_minimised_customer_carry_the_placeholder(settings):
    never_archive = settings.model_copy(
        update={"retention": RetentionSettings(archive_closed_after_months=600)}
    )
    case = await worked_case(close=True)
    await service.run(actor=None, settings=never_archive, now=clock.now() + EIGHT_YEARS)
    live = await Case.get(case.id)
    placeholder = customers.minimised_name(case.customer_id)
    assert live is not None and live.customer_name == placeholder
    assert live.name_words == sorted(w.casefold() for w in placeholder.split())
    assert live.version == case.version + 1


async def test_a_second_run_finds_nothing_more_to_minimise(retention_settings):
    await worked_case(close=True)
    later = clock.now() + EIGHT_YEARS
    first = await service.run(actor=None, settings=retention_settings, now=later)
    second = await service.run(actor=None, settings=retention_settings, now=later)
    assert first.minimised_customers.count == 1 and second.minimised_customers.count == 0
    assert second.archived_cases.count == 0


async def test_a_customer_in_dunning_keeps_their_details(retention_settings):
    case = await worked_case(close=True)
    await Standing(
        id=case.account_id,
        facts=AccountFacts(account_id=case.account_id, customer_id=case.customer_id),
        overdue=True,
    ).insert()
    done = await service.run(actor=None, settings=retention_settings, now=clock.now() + EIGHT_YEARS)
    assert done.minimised_customers.count == 0
    kept = await Customer.get(case.customer_id)
    assert kept is not None and kept.minimised_at is None


async def test_billing_sending_details_again_keeps_them_anew(retention_settings):
    case = await worked_case(close=True)
    await service.run(actor=None, settings=retention_settings, now=clock.now() + EIGHT_YEARS)
    record = CustomerRecord(
        customer=CustomerFacts(id=case.customer_id, name="Nimal Perera"),
        account=CustomerAccountFacts(id=case.account_id, customer_id=case.customer_id, products=[]),
    )
    async with db.transaction() as session:
        await customers.upsert_many(records=[record], source="bss", session=session)
    back = await Customer.get(case.customer_id)
    assert back is not None and back.name == "Nimal Perera" and back.minimised_at is None
