"""Each kind of dispute and each resolution, the order of steps, and the hold on
collection contact from the first open dispute to the last resolved."""

from __future__ import annotations

import pytest

from backend.audit.models import AuditRecord
from backend.customers import service as customers
from backend.customers.models import Customer
from backend.dunning import service as dunning
from backend.payments.models import Payment, PaymentStatus
from backend.receipts import service as receipts
from backend.receipts.models import Receipt
from backend.users.models import Role
from tests.backend.billing.helpers import put_invoice
from tests.backend.disputes.conftest import investigate, raise_one, resolve, settle_one
from tests.backend.dunning.conftest import configure
from tests.backend.dunning.test_holds import _steps
from tests.backend.payments.helpers import pay
from tests.backend.receipts.helpers import report
from tests.factories import make_account, make_case, make_user

KINDS = ["incorrect_charge", "payment_not_credited", "duplicate_charge", "refund_request"]


@pytest.mark.parametrize("kind", KINDS)
async def test_each_kind_is_raised_and_holds_contact(client, as_operator, kind):
    account = await make_account()
    await put_invoice("B-7", account_id=account.id)
    dispute = await raise_one(
        client,
        as_operator(),
        account.id,
        kind,
        invoice_id="INV-B-7",
        amount={"amount": 12_500, "currency": "LKR"},
    )
    assert dispute["status"] == "open" and dispute["kind"] == kind
    assert dispute["invoice_id"] == "B-7"
    assert dispute["customer_id"] == account.customer_id and dispute["contact_held"] is True
    hold = (await Customer.get(account.customer_id)).dispute
    assert hold is not None and hold.billing_disputes == [dispute["id"]] and not hold.debt
    records = await AuditRecord.find({"entity_id": dispute["id"]}).to_list()
    assert [r.action for r in records] == ["dispute.raise"]


@pytest.mark.parametrize(
    ("outcome", "amount", "credit_note"),
    [
        ("credit", 5_000, True),
        ("refund", 5_000, False),
        ("correct", None, False),
        ("rejected", None, False),
    ],
)
async def test_each_resolution_lifts_the_hold(client, as_operator, outcome, amount, credit_note):
    account = await make_account()
    dispute = await raise_one(client, as_operator(), account.id)
    done = await settle_one(client, as_operator(), dispute["id"], outcome, amount=amount)
    assert done["status"] == "resolved" and done["contact_held"] is False
    assert done["resolution"]["outcome"] == outcome
    assert done["resolution"]["credit_note_requested"] is credit_note
    assert done["resolution"]["amount"] == (amount and {"amount": amount, "currency": "LKR"})
    assert (await Customer.get(account.customer_id)).dispute is None
    actions = [r.action for r in await AuditRecord.find({"entity_id": dispute["id"]}).to_list()]
    assert actions == ["dispute.raise", "dispute.investigate", "dispute.resolve"]


async def test_a_refund_of_a_payment_reverses_it(client, signing_key, as_operator, operator):
    officer = await make_user(Role.RECOVERY_OFFICER)
    case = await make_case("negotiation", ro=officer, arrears=90_000)
    payment = (await pay(client, signing_key, officer, case, 20_000)).json()
    dispute = await raise_one(
        client, as_operator(), case.account_id, "duplicate_charge", payment_id=payment["id"]
    )
    assert dispute["case_id"] == str(case.id) and dispute["drc_id"] == case.drc_id
    await investigate(client, as_operator(), dispute["id"])
    short = await resolve(client, as_operator(), dispute["id"], "refund", amount=5_000)
    assert short.status_code == 422 and short.json()["code"] == "dispute.resolution_invalid"
    assert (await Payment.get(payment["id"])).status is PaymentStatus.APPLIED
    done = await resolve(client, as_operator(), dispute["id"], "refund", amount=20_000)
    assert done.status_code == 200, done.text
    assert done.json()["resolution"]["reversed_payment_id"] == payment["id"]
    reversed_ = await Payment.get(payment["id"])
    assert reversed_.status is PaymentStatus.REVERSED and dispute["id"] in reversed_.reversal.reason


async def test_steps_out_of_order_are_refused_with_a_stable_code(client, as_operator):
    account = await make_account()
    dispute = await raise_one(client, as_operator(), account.id)
    early = await resolve(client, as_operator(), dispute["id"], "rejected")
    assert early.status_code == 409 and early.json()["code"] == "dispute.invalid_transition"
    assert early.json()["status"] == "open"
    assert (await investigate(client, as_operator(), dispute["id"])).status_code == 200
    again = await investigate(client, as_operator(), dispute["id"])
    assert again.status_code == 409 and again.json()["code"] == "dispute.invalid_transition"
    await resolve(client, as_operator(), dispute["id"], "rejected")
    for late in (
        await investigate(client, as_operator(), dispute["id"]),
        await resolve(client, as_operator(), dispute["id"], "correct"),
    ):
        assert late.status_code == 409 and late.json()["status"] == "resolved"
    stored = (await client.get(f"/disputes/{dispute['id']}", headers=as_operator())).json()
    assert stored["resolution"]["outcome"] == "rejected"


@pytest.mark.parametrize(
    ("outcome", "amount"), [("credit", None), ("refund", 0), ("correct", 100), ("rejected", 1)]
)
async def test_a_resolution_that_does_not_fit_changes_nothing(client, as_operator, outcome, amount):
    account = await make_account()
    dispute = await raise_one(client, as_operator(), account.id)
    await investigate(client, as_operator(), dispute["id"])
    refused = await resolve(client, as_operator(), dispute["id"], outcome, amount=amount)
    assert refused.status_code == 422 and refused.json()["code"] == "dispute.resolution_invalid"
    stored = (await client.get(f"/disputes/{dispute['id']}", headers=as_operator())).json()
    assert stored["status"] == "investigating" and stored["contact_held"] is True


async def test_the_hold_lifts_only_when_the_last_dispute_is_resolved(client, as_operator, operator):
    account = await make_account()
    first = await raise_one(client, as_operator(), account.id)
    second = await raise_one(client, as_operator(), account.id, "refund_request")
    assert (await settle_one(client, as_operator(), first["id"]))["contact_held"] is True
    await customers.open_dispute(actor=operator, customer_id=account.customer_id, reason="Debt")
    assert (await settle_one(client, as_operator(), second["id"]))["contact_held"] is True
    hold = (await Customer.get(account.customer_id)).dispute
    assert hold.debt and hold.billing_disputes == []
    await customers.close_dispute(actor=operator, customer_id=account.customer_id)
    assert (await Customer.get(account.customer_id)).dispute is None


async def test_closing_the_debt_dispute_keeps_the_hold_of_a_billing_dispute(
    client, as_operator, operator
):
    account = await make_account()
    await customers.open_dispute(actor=operator, customer_id=account.customer_id, reason="Debt")
    dispute = await raise_one(client, as_operator(), account.id)
    closed = await client.delete(f"/customers/{account.customer_id}/dispute", headers=as_operator())
    assert closed.status_code == 200 and closed.json()["dispute"]["debt"] is False
    again = await client.delete(f"/customers/{account.customer_id}/dispute", headers=as_operator())
    assert again.status_code == 409 and again.json()["code"] == "customer.no_dispute"
    await settle_one(client, as_operator(), dispute["id"])
    assert (await Customer.get(account.customer_id)).dispute is None


async def test_no_dunning_step_is_taken_while_a_dispute_is_open(client, as_operator, moving_clock):
    await configure(client, as_operator())
    account = await make_account()
    dispute = await raise_one(client, as_operator(), account.id, "payment_not_credited")
    summary = await dunning.evaluate_accounts([account.id])
    assert summary.held == 1 and await _steps(account.id) == []
    await settle_one(client, as_operator(), dispute["id"], "correct", note="Payment matched")
    await dunning.evaluate_accounts([account.id])
    assert await _steps(account.id) == [(1, "reminder")]


async def test_a_refund_of_a_receipt_in_suspense_refunds_it(client, as_operator):
    account = await make_account()
    receipt = await receipts.receive(report(8_000, reference="NO-SUCH-ACCOUNT"))
    assert receipt.status == "suspense"
    dispute = await raise_one(
        client, as_operator(), account.id, "refund_request", receipt_id=receipt.id
    )
    elsewhere = await client.post(
        "/disputes",
        json={"kind": "refund_request", "account_id": account.id, "receipt_id": "card:ch_none",
              "description": "Refund my card payment"},
        headers=as_operator(),
    )  # fmt: skip
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "dispute.subject_invalid"
    done = await settle_one(client, as_operator(), dispute["id"], "refund", amount=8_000)
    assert done["resolution"]["refunded_receipt_id"] == receipt.id
    assert (await Receipt.get(receipt.id)).status == "refunded"


async def test_a_credit_of_an_invoice_is_at_most_its_amount(client, as_operator):
    account = await make_account()
    await put_invoice("B-11", account_id=account.id, amount="100.00")
    dispute = await raise_one(client, as_operator(), account.id, invoice_id="B-11")
    await investigate(client, as_operator(), dispute["id"])
    too_much = await resolve(client, as_operator(), dispute["id"], "credit", amount=10_001)
    assert too_much.status_code == 422 and too_much.json()["code"] == "dispute.resolution_invalid"
    done = await resolve(client, as_operator(), dispute["id"], "credit", amount=10_000)
    assert done.status_code == 200 and done.json()["resolution"]["credit_note_requested"]
