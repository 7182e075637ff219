"""What stops or clears a ladder: payment, an arrangement, a dispute, an opt-out on one
channel, and the customer's answers."""

from __future__ import annotations

from datetime import timedelta

from backend.core.money import Money
from backend.customers import service as customers
from backend.customers.models import Account, Contact, ContactKind, Customer
from backend.dunning import service
from backend.dunning.models import Ladder, LedgerEntry, Standing
from backend.notifications import contact
from backend.notifications.models import Channel, Delivery, DeliveryStatus
from backend.notifications.schemas import OptOutCreate
from backend.users.models import Role
from tests.backend.dunning.conftest import configure
from tests.backend.notifications.conftest import send_waiting
from tests.backend.payments.helpers import plan, settle
from tests.factories import make_account, make_case, make_user

BOTH = [
    {
        "key": "reminder",
        "kind": "reminder",
        "channels": ["sms", "email"],
        "template": "dunning_reminder",
        "wait_days": 3,
    },
    {
        "key": "follow-up",
        "kind": "follow_up",
        "channels": ["sms"],
        "template": "dunning_follow_up",
        "wait_days": 3,
    },
]


async def _steps(account_id: str) -> list[tuple[int, str]]:
    entries = await LedgerEntry.find({"account_id": account_id}).sort("_id").to_list()
    return [(e.cycle, e.step) for e in entries]


async def _set_arrears(account: Account, amount: int) -> None:
    stored = await Account.get(account.id)
    stored.products[0].arrears = Money(amount=amount)
    await stored.save()


async def test_payment_clears_the_ladder_and_new_arrears_start_a_new_cycle(
    client, as_operator, moving_clock
):
    await configure(client, as_operator())
    account = await make_account()
    await service.evaluate_accounts([account.id])
    await _set_arrears(account, 0)
    moving_clock.advance(3)
    summary = await service.evaluate_accounts([account.id])
    assert summary.cleared == 1 and summary.steps_taken == 0
    standing = (await client.get(f"/dunning/accounts/{account.id}", headers=as_operator())).json()
    assert standing["overdue"] is False and standing["cleared_reason"] == "paid"
    assert standing["ladder"] is None
    await _set_arrears(account, 90_000)
    moving_clock.advance(1)
    await service.evaluate_accounts([account.id])
    assert await _steps(account.id) == [(1, "reminder"), (2, "reminder")]


async def test_an_open_dispute_holds_the_ladder_until_it_closes(
    client, as_operator, operator, moving_clock
):
    await configure(client, as_operator())
    account = await make_account()
    await customers.open_dispute(
        actor=operator, customer_id=account.customer_id, reason="Wrong bill"
    )
    summary = await service.evaluate_accounts([account.id])
    assert summary.held == 1 and await _steps(account.id) == []
    ladder = await Ladder.get(account.id)
    assert ladder.hold == "dispute"
    await customers.close_dispute(actor=operator, customer_id=account.customer_id)
    await service.evaluate_accounts([account.id])
    assert await _steps(account.id) == [(1, "reminder")]


async def test_an_opt_out_blocks_its_channel_and_the_other_is_still_used(
    client, as_operator, operator, edges, senders
):
    await configure(client, as_operator(), steps=BOTH)
    account = await make_account()
    customer = await Customer.get(account.customer_id)
    customer.contacts.append(Contact(kind=ContactKind.EMAIL, value="optout@example.lk"))
    await customer.save()
    await contact.opt_out(
        actor=operator,
        customer_id=customer.id,
        channel=Channel.SMS,
        data=OptOutCreate(reason="Asked by phone"),
    )
    await service.evaluate_accounts([account.id])
    await send_waiting(senders)
    sent = {d.channel: (d.status, d.reason) for d in await Delivery.find({}).to_list()}
    assert sent == {
        Channel.SMS: (DeliveryStatus.BLOCKED, "opted_out"),
        Channel.EMAIL: (DeliveryStatus.SENT, None),
    }
    assert edges.sms.received == []


async def test_a_promise_holds_until_its_day_and_a_reply_restarts_the_wait(
    client, as_operator, moving_clock
):
    await configure(client, as_operator(), steps=BOTH)
    account = await make_account()
    await service.evaluate_accounts([account.id])
    promised = (moving_clock() + timedelta(days=5)).date()
    held = await service.response_received(
        account_id=account.id,
        channel="sms",
        intent="promise",
        at=moving_clock(),
        promised_on=promised,
    )
    assert held.hold == "promise" and held.next_step == "follow-up"
    moving_clock.advance(4)
    assert (await service.evaluate_accounts([account.id])).held == 1
    moving_clock.advance(2)  # the promised day has passed: the wait runs from its end
    await service.evaluate_accounts([account.id])
    assert await _steps(account.id) == [(1, "reminder")]
    await service.response_received(
        account_id=account.id,
        channel="email",
        intent="other",
        at=moving_clock(),
        promised_on=None,
    )
    moving_clock.advance(3)
    await service.evaluate_accounts([account.id])
    assert await _steps(account.id) == [(1, "reminder"), (1, "follow-up")]


async def test_a_disputing_reply_holds_until_staff_release_it(client, as_operator, moving_clock):
    await configure(client, as_operator(), steps=BOTH)
    account = await make_account()
    await service.evaluate_accounts([account.id])
    await service.response_received(
        account_id=account.id,
        channel="sms",
        intent="dispute",
        at=moving_clock(),
        promised_on=None,
    )
    moving_clock.advance(10)
    assert (await service.evaluate_accounts([account.id])).held == 1
    released = await client.post(
        f"/dunning/accounts/{account.id}/override",
        json={"action": "release", "reason": "Billing confirmed the amount"},
        headers=as_operator(),
    )
    assert released.status_code == 200, released.text
    await service.evaluate_accounts([account.id])
    assert await _steps(account.id) == [(1, "reminder"), (1, "follow-up")]
    assert (await Standing.get(account.id)).cycle == 1


async def test_an_arrangement_on_the_case_clears_the_ladder(client, signing_key, as_operator):
    await configure(client, as_operator())
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=90_000)
    await service.evaluate_accounts([case.account_id])
    assert await _steps(case.account_id) == [(1, "reminder")]
    made = await settle(client, signing_key, officer, case, plan(30_000, 30_000, 30_000))
    assert made.status_code == 201, made.text
    assert (await service.evaluate_accounts([case.account_id])).cleared == 1
    standing = await Standing.get(case.account_id)
    assert standing.under_arrangement and standing.cleared_reason == "arrangement"
