"""An overdue account walked up its ladder: reminder, follow-up, final notice, the
escalation when no answer comes, suspension, and the hand-off to DRC placement."""

from __future__ import annotations

from backend.cases.models import Case
from backend.customers.models import Contact, ContactKind, Customer
from backend.dunning import service
from backend.dunning.models import LedgerEntry
from backend.intake.models import Incident
from backend.notifications.models import Delivery
from tests.backend.dunning.conftest import configure
from tests.backend.notifications.conftest import send_waiting
from tests.factories import make_account


async def _run_twice(account_id: str) -> list[str]:
    """Evaluate twice, as a retried or doubled daily run would; return the ledger's steps."""
    await service.evaluate_accounts([account_id])
    await service.evaluate_accounts([account_id])
    return [
        e.step for e in await LedgerEntry.find({"account_id": account_id}).sort("_id").to_list()
    ]


async def test_an_account_climbs_every_step_to_hand_off(
    client, as_operator, moving_clock, edges, senders
):
    await configure(client, as_operator())
    account = await make_account(arrears=250_000)
    customer = await Customer.get(account.customer_id)
    customer.contacts.append(Contact(kind=ContactKind.EMAIL, value="c@example.lk"))
    await customer.save()

    assert await _run_twice(account.id) == ["reminder"]
    await send_waiting(senders)
    assert len(edges.sms.received) == 1

    moving_clock.advance(2)  # the reminder's wait (3 days) has not passed
    assert await _run_twice(account.id) == ["reminder"]
    moving_clock.advance(1)
    assert await _run_twice(account.id) == ["reminder", "follow-up"]
    moving_clock.advance(5)
    assert await _run_twice(account.id) == ["reminder", "follow-up", "final"]
    await send_waiting(senders)
    assert len(edges.sms.received) == 3  # nothing sent twice
    kinds = sorted((d.kind, d.channel.value) for d in await Delivery.find({}).to_list())
    assert kinds == [
        ("dunning_final_notice", "sms"),
        ("dunning_follow_up", "email"),
        ("dunning_follow_up", "sms"),
        ("dunning_reminder", "sms"),
    ]

    moving_clock.advance(7)  # no answer to the final notice: escalated, then suspended
    assert (await _run_twice(account.id))[-1] == "suspend"
    queue = await client.get("/worklist?kind=escalation", headers=as_operator())
    [escalation] = queue.json()["items"]
    assert escalation["account_id"] == account.id and "after final" in escalation["title"]

    moving_clock.advance(2)
    assert (await _run_twice(account.id))[-1] == "handoff"
    [incident] = await Incident.find({"account_id": account.id}).to_list()
    assert await Case.find({"account_id": account.id}).count() == 1
    ledger = await client.get(f"/dunning/accounts/{account.id}/ledger", headers=as_operator())
    entries = ledger.json()
    assert [e["outcome"] for e in entries] == [
        "messaged",
        "messaged",
        "messaged",
        "suspension_requested",
        "handed_off",
    ]
    assert entries[-1]["incident_id"] == str(incident.id)
    assert {e["strategy_version"] for e in entries} == {1}
    await send_waiting(senders)
    assert len(edges.sms.received) == 3


async def test_an_escalation_is_worked_on_the_staff_worklist(client, as_operator, moving_clock):
    steps = [
        {
            "key": "reminder",
            "kind": "reminder",
            "channels": ["sms"],
            "template": "dunning_reminder",
            "wait_days": 2,
        },
    ]
    await configure(client, as_operator(), steps=steps)
    account = await make_account()
    await service.evaluate_accounts([account.id])
    moving_clock.advance(2)
    await service.evaluate_accounts([account.id])
    queue = await client.get("/worklist?kind=escalation&status=open", headers=as_operator())
    [item] = queue.json()["items"]
    claimed = await client.post(f"/worklist/{item['id']}/claim", headers=as_operator())
    assert claimed.json()["status"] == "claimed"
    closed = await client.post(
        f"/worklist/{item['id']}/close",
        json={"note": "Called the customer; paying next week"},
        headers=as_operator(),
    )
    assert closed.json()["status"] == "done", closed.text
    moving_clock.advance(2)
    await service.evaluate_accounts([account.id])  # the ladder has nothing more: no new item
    assert (
        len((await client.get("/worklist?kind=escalation", headers=as_operator())).json()["items"])
        == 1
    )
