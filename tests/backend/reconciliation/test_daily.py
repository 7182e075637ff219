"""The daily reconciliation: a camt.053 statement against the bank's callbacks, amount
and timing differences, and the report as JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time

from backend.billing.models import AccountCredit
from backend.receipts.models import Provider
from backend.reconciliation import service
from backend.reconciliation.models import DailyReport, Kind
from backend.users.models import Role
from tests.backend.banking.statements import DAY, transaction
from tests.backend.billing.helpers import days_ago, put_invoice
from tests.backend.reconciliation.helpers import NEXT_DAY, callback, payable, statement
from tests.factories import bearer, make_account, make_user


def _bank(report):
    [section] = [s for s in report.providers if s.provider == "bank"]
    return section


async def test_a_statement_against_callbacks_reports_one_missing_and_one_duplicated(settings):
    one, two, three, extra = [await payable(10_000 * n) for n in (1, 2, 3, 4)]
    for paid in (one, two, three):
        assert (await callback(paid)).status == "booked"
    await statement(settings, [one, two, three, extra, two])

    report = await service.run_daily(day=DAY, settings=settings.bank)
    bank = _bank(report)
    assert (bank.transactions, bank.matched) == (4, 2)
    assert (bank.statement_lines, bank.callbacks) == (5, 3)
    [missing] = bank.missing
    assert (missing.transaction_id, missing.kind) == (extra.transaction_id, Kind.NOT_IN_CALLBACKS)
    assert missing.receipt_status == "booked" and missing.statement_days == ["2026-11-30"]
    [duplicated] = bank.duplicated
    assert (duplicated.transaction_id, duplicated.kind) == (
        two.transaction_id,
        Kind.TWICE_IN_STATEMENT,
    )
    assert len(duplicated.statement_ids) == 2 and duplicated.sightings == 3
    assert bank.amount_mismatches == bank.timing_differences == bank.suspense == []
    assert report.totals.missing == 1 and report.totals.duplicated == 1
    assert await DailyReport.get("2026-11-30") is not None


async def test_a_callback_the_statement_lacks_is_missing_too(settings):
    listed, unlisted = await payable(), await payable()
    await callback(listed)
    await callback(unlisted)
    mpesa_only = await payable(5_000)
    await callback(mpesa_only, provider=Provider.MPESA)  # M-PESA has no statements here
    await statement(settings, [listed])

    report = await service.run_daily(day=DAY, settings=settings.bank)
    [missing] = _bank(report).missing
    assert (missing.transaction_id, missing.kind) == (
        unlisted.transaction_id,
        Kind.NOT_IN_STATEMENT,
    )
    [mpesa] = [s for s in report.providers if s.provider == "mpesa"]
    assert (mpesa.transactions, mpesa.matched, mpesa.missing) == (1, 1, [])


async def test_amount_mismatches_and_timing_differences_are_listed(settings):
    differs, late = await payable(20_000), await payable(30_000, booking_date=NEXT_DAY)
    await callback(differs, amount=19_000)
    await callback(late, at=datetime.combine(DAY, time(23, 30), tzinfo=UTC))
    await statement(settings, [differs, late])

    bank = _bank(await service.run_daily(day=DAY, settings=settings.bank))
    [mismatch] = bank.amount_mismatches
    assert mismatch.transaction_id == differs.transaction_id
    assert sorted(m.amount for m in mismatch.amounts) == [19_000, 20_000]
    [timing] = bank.timing_differences
    assert timing.transaction_id == late.transaction_id
    assert (timing.callback_days, timing.statement_days) == (["2026-11-30"], ["2026-12-01"])
    assert bank.missing == [] and bank.matched == 0

    next_day = _bank(await service.run_daily(day=NEXT_DAY, settings=settings.bank))
    assert [t.transaction_id for t in next_day.timing_differences] == [late.transaction_id]


async def test_a_receipt_in_suspense_is_reported(settings):
    stray = transaction(7_700, reference="NOBODY")
    assert (await callback(stray)).status == "suspense"
    await statement(settings, [stray])
    bank = _bank(await service.run_daily(day=DAY, settings=settings.bank))
    assert [s.transaction_id for s in bank.suspense] == [stray.transaction_id]


async def test_the_report_as_json_and_csv(client, signing_key, settings):
    one, extra = await payable(12_300), await payable(45_600)
    await callback(one)
    await statement(settings, [one, extra])
    operator = await make_user(Role.OPERATOR_OFFICER)
    headers = bearer(signing_key, operator)
    assert (await client.get("/reconciliation/2026-11-30", headers=headers)).status_code == 404

    ran = await client.post("/reconciliation/2026-11-30/run", headers=headers)
    assert ran.status_code == 200, ran.text
    shown = await client.get("/reconciliation/2026-11-30", headers=headers)
    assert shown.json() == ran.json()
    assert shown.json()["totals"]["missing"] == 1 and shown.json()["totals"]["matched"] == 1

    download = await client.get("/reconciliation/2026-11-30?format=csv", headers=headers)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert "reconciliation-2026-11-30.csv" in download.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert {(r["section"], r["kind"], r["count"]) for r in rows if r["section"] == "summary"} == {
        ("summary", "transactions", "2"),
        ("summary", "matched", "1"),
    }
    [missing] = [r for r in rows if r["section"] == "missing"]
    assert missing["transaction_id"] == extra.transaction_id and missing["amounts"] == "LKR 456.00"

    listed = await client.get("/reconciliation", headers=headers)
    assert [r["day"] for r in listed.json()] == ["2026-11-30"]
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    refused = await client.get(
        "/reconciliation/2026-11-30", headers=bearer(signing_key, supervisor)
    )
    assert refused.status_code == 403
    bad_day = await client.get("/reconciliation/2026-11-31", headers=headers)
    assert bad_day.status_code == 422


async def test_receipts_credited_to_invoices_reconcile_against_them(settings):
    account = await make_account()
    await put_invoice("INV-R1", account_id=account.id, amount="100.00", due=days_ago(5))
    paid = transaction(15_000, reference=account.id)  # 50.00 beyond the invoice
    receipt = await callback(paid)
    assert receipt.invoice_ids == ["INV-R1"] and receipt.payment_id is None
    await statement(settings, [paid])
    bank = _bank(await service.run_daily(day=DAY, settings=settings.bank))
    assert (bank.matched, bank.invoice_differences) == (1, [])

    # the remainder's record lost (a restore from an older backup): the day shows it
    await AccountCredit.get_pymongo_collection().delete_many({"_id": receipt.id})
    bank = _bank(await service.run_daily(day=DAY, settings=settings.bank))
    [differs] = bank.invoice_differences
    assert (differs.transaction_id, differs.applied_to_invoices) == (paid.transaction_id, 10_000)
    assert bank.matched == 0


async def test_a_bad_day_lists_the_first_exceptions_and_counts_them_all(settings, monkeypatch):
    monkeypatch.setattr(service, "MAX_LISTED", 2)
    lines = [await payable(1_000 * n) for n in (1, 2, 3)]
    await statement(settings, lines)  # no callback for any of them
    report = await service.run_daily(day=DAY, settings=settings.bank)
    bank = _bank(report)
    assert len(bank.missing) == 2 and bank.counts["missing"] == 3
    assert report.totals.missing == 3
