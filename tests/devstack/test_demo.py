"""The demo data: loaded once through the services, with cases in every phase."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from backend.audit.models import AuditRecord
from backend.cases.models import Case, PartStatus
from backend.cases.phases import Phase
from backend.commission import service as commission
from backend.devstack.demo import DEMO_DRCS, load_demo_data
from backend.devstack.demo.incidents import POOL_INCIDENTS
from backend.devstack.demo.placement import AWAITING_OFFICER
from backend.requests.models import OfficerRequest, RequestStatus
from backend.users import service as users


async def _counts(field: str) -> dict[str, int]:
    rows = await Case.get_pymongo_collection().aggregate(
        [{"$group": {"_id": f"${field}", "n": {"$sum": 1}}}]
    )
    return {row["_id"]: row["n"] async for row in rows}


async def _phases_are_all_there() -> None:
    phases = await _counts("phase")
    print("cases per phase:", dict(sorted(phases.items())))
    assert {p.value for p in Phase} <= {p for p, n in phases.items() if n > 0}
    assert phases[Phase.NEW.value] == POOL_INCIDENTS
    assert phases[Phase.ALLOCATED.value] == AWAITING_OFFICER * len(DEMO_DRCS)
    assert sum(phases.values()) >= 250


async def _part_statuses_are_all_there() -> None:
    arrears, equipment = await _counts("arrears_status"), await _counts("cpe_status")
    assert set(equipment) == set(PartStatus)
    assert set(arrears) == set(PartStatus) - {PartStatus.AWAITING_APPROVAL}


async def _requests_in_every_status() -> None:
    for status in RequestStatus:
        assert await OfficerRequest.find({"status": status.value}).count() > 0, status


async def _statements_have_entries() -> None:
    admin = await users.by_uid("op-admin")
    assert admin is not None
    month = datetime.now(UTC).strftime("%Y-%m")
    for drc in DEMO_DRCS:
        statement = await commission.statement(actor=admin, drc_id=drc.id, month=month)
        assert statement.entries, drc.id
        assert statement.totals[0].earned.amount > 0


async def _billing_has_invoices() -> None:
    from backend.billing import service as billing
    from backend.billing.models import Invoice
    from backend.devstack.demo.billing import BILLED_ACCOUNTS

    statuses = await Invoice.distinct("status")
    assert {"paid", "overdue"} <= set(statuses)
    assert len(await Invoice.distinct("account_id")) == BILLED_ACCOUNTS
    invoice = await Invoice.find_one({"status": "overdue"})
    assert invoice is not None
    assert (await billing.account_balance(invoice.account_id)).days_past_due > 0


async def _disputes_in_every_state() -> None:
    from backend.disputes.models import BillingDispute, DisputeStatus

    assert set(await BillingDispute.distinct("status")) == set(DisputeStatus)


async def _the_bank_day_is_reconciled() -> None:
    from datetime import timedelta

    from backend.core import clock
    from backend.reconciliation import service as reconciliation

    yesterday = clock.now().date() - timedelta(days=1)
    report = await reconciliation.get_report(day=yesterday)
    [bank] = report.providers
    assert (len(bank.missing), len(bank.duplicated), len(bank.suspense)) == (1, 1, 1)
    assert bank.matched == 3


async def test_demo_data_loads_once_with_every_phase(app):
    started = time.perf_counter()
    assert await load_demo_data() is True
    print(f"\ndemo data loaded in {time.perf_counter() - started:.1f} s")
    await _phases_are_all_there()
    await _part_statuses_are_all_there()
    await _requests_in_every_status()
    await _statements_have_entries()
    await _billing_has_invoices()
    await _disputes_in_every_state()
    await _the_bank_day_is_reconciled()

    cases, audit = await Case.count(), await AuditRecord.count()
    assert await load_demo_data() is False
    assert (await Case.count(), await AuditRecord.count()) == (cases, audit)
