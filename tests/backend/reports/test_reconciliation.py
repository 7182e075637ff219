"""The reconciliation summary: each day reconciled in the window, per provider, as the
daily reconciliation counted it from the callbacks and statements of those days."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from backend.receipts.models import Provider
from backend.reconciliation import service as reconciliation
from backend.reports import render
from backend.reports import service as reports
from backend.reports.errors import ReportNotFound
from backend.users.models import Role
from tests.backend.banking.statements import DAY
from tests.backend.reconciliation.helpers import NEXT_DAY, callback, payable, statement
from tests.factories import make_user

ZERO = {
    "missing": 0,
    "duplicated": 0,
    "amount_mismatches": 0,
    "timing_differences": 0,
    "suspense": 0,
    "invoice_differences": 0,
}


async def _two_days(settings) -> None:
    """DAY: the bank's four credits, one in the statement only, one in it twice;
    NEXT_DAY: one M-PESA callback that books; the day after: one more, not reconciled."""
    one, two, three, extra = [await payable(10_000 * n) for n in (1, 2, 3, 4)]
    for paid in (one, two, three):
        await callback(paid)
    await statement(settings, [one, two, three, extra, two])
    await callback(await payable(5_000, booking_date=NEXT_DAY), provider=Provider.MPESA)
    await callback(await payable(7_000, booking_date=NEXT_DAY + timedelta(days=1)))
    for day in (DAY, NEXT_DAY):
        await reconciliation.run_daily(day=day, settings=settings.bank)


async def test_each_day_reconciled_is_summed_up_per_provider(settings):
    await _two_days(settings)
    admin = await make_user(Role.OPERATOR_OFFICER)
    window = reports.default_filters(from_day=DAY - timedelta(days=1), to_day=NEXT_DAY)

    table = await reports.run(actor=admin, name="reconciliation", filters=window)

    bank = {"transactions": 4, "matched": 2, "statement_lines": 5, "callbacks": 3}
    mpesa = {"transactions": 1, "matched": 1, "statement_lines": 0, "callbacks": 1}
    assert table.rows == [
        {"day": "2026-11-30", "provider": "bank", **bank, **ZERO, "missing": 1, "duplicated": 1},
        {"day": "2026-12-01", "provider": "mpesa", **mpesa, **ZERO},
    ]
    exported = list(csv.reader(io.StringIO(render.csv_of(table))))
    assert exported[0][:3] == ["Day", "Provider", "Transactions"] and len(exported) == 3
    text = " ".join(PdfReader(io.BytesIO(render.pdf_of(table))).pages[0].extract_text().split())
    assert "Reconciliation summary" in text and "2026-11-30 bank 4 2 5 3 1 1" in text


async def test_only_operator_staff_read_it(settings):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    assert "reconciliation" not in {r.name for r in reports.list_reports(actor=supervisor)}
    with pytest.raises(ReportNotFound):
        await reports.run(
            actor=supervisor, name="reconciliation", filters=reports.default_filters()
        )
