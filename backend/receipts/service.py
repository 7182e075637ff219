"""Money the providers report, booked exactly once.

`receive` is the only way provider money enters DebtX. Every sighting is kept as a
provider record; the first one of a `(provider, transaction_id)` inserts the receipt,
whose unique id turns every later delivery, concurrent ones too, into a counted
sighting of the same receipt (flagged when its amount differs). The receipt is then
matched (see matching.py) and booked: to its account's open case through the payments
service, in one transaction with the receipt's change, or to an account without one
through its invoices. Nothing matched, or several candidates, leaves it in suspense
for staff to match by hand or refund.
"""

from __future__ import annotations

from backend.core.settings import ReceiptSettings, get_settings
from backend.receipts import booking, fraud, matching, repository
from backend.receipts.models import ProviderRecord, Receipt, ReceiptFlag
from backend.receipts.schemas import ProviderReport, ReceiptRead


async def receive(
    report: ProviderReport, *, settings: ReceiptSettings | None = None
) -> ReceiptRead:
    """Keep the sighting, book the transaction at most once, and say where it went."""
    settings = settings or get_settings().receipts
    await repository.insert_record(_record_of(report))
    receipt = _receipt_of(report)
    if not await repository.insert_new(receipt):
        return read_of(await _seen_again(report))
    found = await matching.find(receipt, window_days=settings.match_window_days)
    flags = await _flags(receipt, found, settings)
    return read_of(await booking.settle(receipt.id, found, flags=flags, actor=None))


async def _seen_again(report: ProviderReport) -> Receipt:
    """A repeat delivery: counted, flagged when its amount differs, never booked again."""
    stored = await repository.get(report.receipt_id)
    assert stored is not None  # receipts are never deleted
    flag = None
    if stored.amount != report.amount:
        flag = fraud.amount_mismatch(stored, str(report.amount))
    again = await repository.seen_again(report.receipt_id, flag)
    return again or stored


async def _flags(
    receipt: Receipt, found: matching.Target | matching.Unmatched, settings: ReceiptSettings
) -> list[ReceiptFlag]:
    flags = [await fraud.velocity(receipt, settings)]
    if isinstance(found, matching.Target):
        flags.append(await fraud.outlier(receipt, found.account_id, settings))
    return [f for f in flags if f is not None]


def _record_of(report: ProviderReport) -> ProviderRecord:
    return ProviderRecord(receipt_id=report.receipt_id, **report.model_dump())


def _receipt_of(report: ProviderReport) -> Receipt:
    fields = report.model_dump(exclude={"statement_id", "raw"})
    return Receipt(id=report.receipt_id, **fields)


def read_of(receipt: Receipt) -> ReceiptRead:
    return ReceiptRead.model_validate(receipt.model_dump(exclude={"revision_id"}))
