"""The collections flow end to end, against the real local SMS gateway, SMTP server and
OSS: the ladder to suspension and back to service, the escalation, the customer's
replies through the webhook, the hand-off through intake, and a doubled daily run."""

from __future__ import annotations

from backend.cases import service as cases
from backend.cases.models import Case
from backend.customers.models import Contact, ContactKind, Customer
from backend.dunning import service
from backend.dunning.models import Ladder, LedgerEntry
from backend.intake.models import Incident
from backend.notifications.models import Channel, Delivery, DeliveryStatus
from backend.oss import service as oss_service
from backend.oss.models import EventKind, OssEvent, ServiceStatus
from backend.payments import service as payments
from backend.payments.schemas import PaymentCreate
from backend.responses.models import Response
from backend.worklist.models import WorkItem, WorkKind
from tests.backend.dunning.conftest import configure
from tests.backend.notifications.conftest import send_waiting
from tests.backend.payments.helpers import lkr, now_iso
from tests.backend.responses.conftest import reply
from tests.factories import make_account, make_case

ENDING_WITH_THE_FINAL_NOTICE = [
    {
        "key": "reminder",
        "kind": "reminder",
        "channels": ["sms"],
        "template": "dunning_reminder",
        "wait_days": 3,
    },
    {
        "key": "final",
        "kind": "final_notice",
        "channels": ["sms"],
        "template": "dunning_final_notice",
        "wait_days": 7,
    },
]


async def _steps(account_id: str) -> list[str]:
    entries = await LedgerEntry.find({"account_id": account_id}).sort("_id").to_list()
    return [e.step for e in entries]


async def _evaluate(account_id: str, senders) -> None:
    """One evaluation of the account and the sends it queued."""
    await service.evaluate_accounts([account_id])
    await send_waiting(senders)


async def _walk_to_suspension(account_id: str, clock, senders) -> None:
    """Reminder, follow-up (3 days on), final notice (5 more), suspension (7 more)."""
    for days in (0, 3, 5, 7):
        clock.advance(days)
        await _evaluate(account_id, senders)


def _mobile(customer: Customer) -> str:
    return next(c.value for c in customer.contacts if c.kind is ContactKind.MOBILE)


async def _with_email(customer_id: str) -> Customer:
    customer = await Customer.get(customer_id)
    assert customer is not None
    customer.contacts.append(Contact(kind=ContactKind.EMAIL, value=f"{customer_id}@example.lk"))
    await customer.save()
    return customer


async def _acknowledge(client, oss, event: OssEvent):
    """OSS's signed acknowledgement, posted to our callback route."""
    body, headers = oss.server.callback(event.idempotency_key)
    answer = await client.post("/oss/callbacks", content=body, headers=headers)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _pay_all(actor, case_id: str) -> None:
    case = await cases.get_unscoped(case_id)
    data = PaymentCreate.model_validate(
        {
            "amount": lkr(case.outstanding.amount),
            "paid_at": now_iso(),
            "channel": "cash",
            "reference": "R-FLOW-1",
        }
    )
    await payments.record_payment(actor=actor, case=case, data=data)


async def test_suspension_and_reinstatement_through_the_local_oss(
    client, as_operator, operator, moving_clock, edges, senders, oss
):
    await configure(client, as_operator())
    case = await make_case("negotiation", arrears=60_000)
    account_id = case.account_id
    await _walk_to_suspension(account_id, moving_clock, senders)
    assert await _steps(account_id) == ["reminder", "follow-up", "final", "suspend"]
    assert len(edges.sms.received) == 3

    [suspension] = await OssEvent.find({"account_id": account_id}).to_list()
    entry = await LedgerEntry.find_one({"account_id": account_id, "step": "suspend"})
    assert entry is not None and entry.oss_event_id == str(suspension.id)
    await oss.deliver(str(suspension.id))
    [received] = oss.server.received
    assert received.verified and received.json["kind"] == "suspension"
    assert received.json["account_id"] == account_id
    done = await _acknowledge(client, oss, suspension)
    assert done["service_status"] == ServiceStatus.SUSPENDED.value

    await _pay_all(operator, str(case.id))
    reinstatement = await OssEvent.find_one({"account_id": account_id, "kind": "reinstatement"})
    assert reinstatement is not None
    await oss.deliver(str(reinstatement.id))
    assert [r.json["kind"] for r in oss.server.received] == ["suspension", "reinstatement"]
    assert all(r.verified for r in oss.server.received)
    await _acknowledge(client, oss, reinstatement)
    state = await oss_service.service_state(account_id)
    assert state.status is ServiceStatus.REINSTATED

    summary = await service.evaluate_accounts([account_id])
    assert summary.cleared == 1
    standing = (await client.get(f"/dunning/accounts/{account_id}", headers=as_operator())).json()
    assert standing["overdue"] is False and standing["cleared_reason"] == "paid"
    assert standing["ladder"] is None


async def test_no_answer_to_the_final_notice_opens_one_escalation(
    client, as_operator, moving_clock, edges, senders
):
    await configure(client, as_operator(), steps=ENDING_WITH_THE_FINAL_NOTICE)
    account = await make_account()
    for days in (0, 3):
        moving_clock.advance(days)
        await _evaluate(account.id, senders)
    assert await WorkItem.count() == 0  # the final notice's wait is still running

    moving_clock.advance(7)
    await service.evaluate_accounts([account.id])
    await service.evaluate_accounts([account.id])
    moving_clock.advance(1)
    await service.evaluate_accounts([account.id])
    queue = await client.get("/worklist?kind=escalation", headers=as_operator())
    [item] = queue.json()["items"]
    assert item["account_id"] == account.id and item["customer_id"] == account.customer_id
    assert item["title"] == "No response 7 day(s) after final"
    ladder = await Ladder.get(account.id)
    assert ladder is not None and ladder.escalation_item_id == item["id"]


async def test_a_promise_by_sms_holds_the_ladder_until_its_day(
    client, as_operator, moving_clock, edges, senders
):
    await configure(client, as_operator())
    account = await make_account()
    customer = await Customer.get(account.customer_id)
    await _evaluate(account.id, senders)

    answer = await reply(client, _mobile(customer).lstrip("+"), "I will pay Friday")
    assert answer.status_code == 200, answer.text
    [response] = await Response.find_all().to_list()
    promised = response.promised_on
    assert promised is not None and promised.weekday() == 4
    [task] = await WorkItem.find({"kind": WorkKind.PROMISE_FOLLOW_UP}).to_list()
    assert task.account_id == account.id
    ladder = await Ladder.get(account.id)
    assert ladder is not None and ladder.hold == "promise" and ladder.last_intent == "promise"

    while moving_clock().date() <= promised:  # held through the promised day
        assert (await service.evaluate_accounts([account.id])).held == 1
        moving_clock.advance(1)
    await service.evaluate_accounts([account.id])  # released: the wait runs from its end
    assert await _steps(account.id) == ["reminder"]
    moving_clock.advance(3)
    await _evaluate(account.id, senders)
    assert await _steps(account.id) == ["reminder", "follow-up"]


async def test_stop_by_sms_sends_the_next_step_by_email_only(
    client, as_operator, moving_clock, edges, senders
):
    await configure(client, as_operator())
    account = await make_account()
    customer = await _with_email(account.customer_id)
    await _evaluate(account.id, senders)
    assert len(edges.sms.received) == 1

    answer = await reply(client, _mobile(customer).lstrip("+"), "STOP")
    assert answer.json()["reply"] is not None
    ladder = await Ladder.get(account.id)
    assert ladder is not None and ladder.last_intent == "stop" and ladder.hold is None

    moving_clock.advance(3)
    await _evaluate(account.id, senders)
    assert await _steps(account.id) == ["reminder", "follow-up"]
    follow_up = await Delivery.find({"kind": "dunning_follow_up"}).to_list()
    outcome = {d.channel: d.status for d in follow_up}
    assert outcome == {Channel.SMS: DeliveryStatus.BLOCKED, Channel.EMAIL: DeliveryStatus.SENT}
    assert len(edges.sms.received) == 1
    assert [m.recipients for m in edges.smtp.mails] == [[f"{customer.id}@example.lk"]]


async def test_the_hand_off_places_the_account_through_intake(
    client, as_operator, moving_clock, edges, senders
):
    await configure(client, as_operator())
    account = await make_account(arrears=250_000)
    await _walk_to_suspension(account.id, moving_clock, senders)
    moving_clock.advance(2)
    await _evaluate(account.id, senders)
    assert (await _steps(account.id))[-1] == "handoff"

    [incident] = await Incident.find({"account_id": account.id}).to_list()
    [case] = await Case.find({"account_id": account.id}).to_list()
    assert incident.case_id == str(case.id) and incident.external_ref == f"DUN-{account.id}-1"
    entry = await LedgerEntry.find_one({"account_id": account.id, "step": "handoff"})
    assert entry is not None and entry.incident_id == str(incident.id)


async def test_the_whole_evaluation_twice_sends_nothing_twice(
    client, as_operator, moving_clock, edges, senders, oss
):
    await configure(client, as_operator())
    accounts = [await make_account() for _ in range(3)]

    async def run() -> None:
        await service.evaluate_all(chunk_size=2, send=service.evaluate_accounts)
        await send_waiting(senders)
        await oss_service.sweep(http=oss.http, settings=oss.settings)

    for days in (0, 3, 5, 7):
        moving_clock.advance(days)
        await run()
        await run()
    assert len(edges.sms.received) == 3 * len(accounts)  # reminder, follow-up, final
    assert await OssEvent.find({"kind": EventKind.SUSPENSION}).count() == len(accounts)
    kinds = sorted(r.json["account_id"] for r in oss.server.received)
    assert kinds == sorted(a.id for a in accounts)
    assert all(r.verified for r in oss.server.received)
