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

from datetime import datetime, timedelta
from typing import Any

from backend.audit import service as audit
from backend.cases import service as cases
from backend.core import clock, db
from backend.core.errors import DomainError, Forbidden
from backend.core.logging import get_logger
from backend.core.pagination import InvalidCursor, Page, decode_keyset, encode_keyset
from backend.core.settings import ReceiptSettings, get_settings
from backend.customers import service as customers
from backend.receipts import booking, fraud, matching, repository
from backend.receipts.errors import (
    MatchRefused,
    ReceiptBooked,
    ReceiptNotFound,
    ReceiptRefunded,
)
from backend.receipts.models import (
    MatchKind,
    ProviderRecord,
    Receipt,
    ReceiptFlag,
    ReceiptStatus,
    Refund,
)
from backend.receipts.schemas import (
    ProviderReport,
    ReceiptMatch,
    ReceiptRead,
    ReceiptRefund,
    SightingRead,
)
from backend.users.models import User

log = get_logger(__name__)


async def receive(
    report: ProviderReport, *, settings: ReceiptSettings | None = None
) -> ReceiptRead:
    """Keep the sighting, book the transaction at most once, and say where it went."""
    settings = settings or get_settings().receipts
    await repository.insert_record(_record_of(report))
    receipt = _receipt_of(report)
    if not await repository.insert_new(receipt):
        return read_of(await _seen_again(report))
    return read_of(await _match_and_settle(receipt, settings))


async def _match_and_settle(receipt: Receipt, settings: ReceiptSettings) -> Receipt:
    """Match a receipt nobody decided yet and book it, or leave it in suspense; one the
    sweep (or staff) settled meanwhile is returned as it now is."""
    found = await matching.find(receipt, window_days=settings.match_window_days)
    flags = await _flags(receipt, found, settings)
    try:
        return await booking.settle(receipt.id, found, flags=flags, actor=None)
    except (ReceiptBooked, ReceiptRefunded):
        settled = await repository.get(receipt.id)
        assert settled is not None  # receipts are never deleted
        return settled


async def resume_stalled(*, settings: ReceiptSettings | None = None, limit: int = 200) -> int:
    """Match again the receipts whose booking was interrupted after they were stored
    (still in suspense with no reason, older than `stalled_seconds`); how many."""
    settings = settings or get_settings().receipts
    before = clock.now() - timedelta(seconds=settings.stalled_seconds)
    stalled = await repository.stalled(before=before, limit=limit)
    for receipt in stalled:
        try:
            settled = await _match_and_settle(receipt, settings)
        except DomainError as exc:  # the next sweep tries it again
            log.warning("receipts.resume_failed", receipt_id=receipt.id, code=exc.code)
            continue
        log.info("receipts.resumed", receipt_id=receipt.id, status=settled.status.value)
    return len(stalled)


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
    return Receipt(id=report.receipt_id, received_at=db.as_stored(clock.now()), **fields)


def read_of(receipt: Receipt) -> ReceiptRead:
    return ReceiptRead.model_validate(receipt.model_dump(exclude={"revision_id"}))


def _require_operator(actor: User) -> None:
    if not actor.is_operator:
        raise Forbidden("Only operator staff handle receipts")


async def list_receipts(
    *,
    actor: User,
    status: ReceiptStatus | None = None,
    flagged: bool | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[ReceiptRead]:
    """Receipts newest received first: `status=suspense` is the queue staff work through,
    `flagged=true` the ones to review."""
    _require_operator(actor)
    filters: dict[str, Any] = {}
    if status is not None:
        filters["status"] = status.value
    if flagged is not None:
        filters["flagged"] = flagged
    rows = await repository.listed(filters, after=_position(cursor), limit=limit + 1)
    shown = rows[:limit]
    next_cursor = None
    if len(rows) > limit:
        next_cursor = encode_keyset(shown[-1].received_at.isoformat(), shown[-1].id)
    return Page(items=[read_of(r) for r in shown], next_cursor=next_cursor)


def _position(cursor: str | None) -> tuple[datetime, str] | None:
    position = decode_keyset(cursor, 2)
    if position is None:
        return None
    at, key = position
    try:
        when = datetime.fromisoformat(at)
    except (TypeError, ValueError) as exc:
        raise InvalidCursor("cursor is not one this API issued for this list") from exc
    if when.tzinfo is None or not isinstance(key, str):
        raise InvalidCursor("cursor is not one this API issued for this list")
    return when, key


async def get_receipt(*, actor: User, receipt_id: str) -> ReceiptRead:
    _require_operator(actor)
    receipt = await repository.get(receipt_id)
    if receipt is None:
        raise ReceiptNotFound(f"No receipt {receipt_id}")
    return read_of(receipt)


async def sightings(*, actor: User, receipt_id: str) -> list[SightingRead]:
    """Every report of the receipt's transaction, first received first."""
    await get_receipt(actor=actor, receipt_id=receipt_id)
    return [
        SightingRead.model_validate({**r.model_dump(exclude={"id"}), "id": str(r.id)})
        for r in await repository.records_of(receipt_id)
    ]


async def match_by_hand(*, actor: User, receipt_id: str, data: ReceiptMatch) -> ReceiptRead:
    """Book a suspense receipt where staff say, exactly as an automatic match would."""
    _require_operator(actor)
    receipt = await booking.in_suspense(receipt_id)
    target = await _chosen(receipt, data)
    return read_of(await booking.settle(receipt_id, target, flags=[], actor=actor))


async def _chosen(receipt: Receipt, data: ReceiptMatch) -> matching.Target:
    """The account and case staff chose, once checked."""
    if data.case_id is None:
        if data.account_id is None:
            raise MatchRefused.on("account_id", "Give the account number, the case or both")
        if await customers.get_account(data.account_id) is None:
            raise MatchRefused.on("account_id", f"No account {data.account_id}")
        target = await matching.target_of(MatchKind.MANUAL, data.account_id, receipt)
        if isinstance(target, matching.Unmatched):
            raise MatchRefused.on("account_id", target.reason)
        return target
    case = await cases.get_unscoped(data.case_id)
    if case is None:
        raise MatchRefused.on("case_id", f"No case {data.case_id}")
    if data.account_id is not None and data.account_id != case.account_id:
        raise MatchRefused.on("account_id", f"Case {data.case_id} is not this account's")
    if not matching.takes(case, receipt):
        raise MatchRefused.on(
            "case_id", f"The case is closed or owes nothing in {receipt.amount.currency}"
        )
    return matching.Target(MatchKind.MANUAL, case.account_id, str(case.id))


async def refund(*, actor: User, receipt_id: str, data: ReceiptRefund) -> ReceiptRead:
    """Mark a suspense receipt as sent back to the payer; it can no longer be matched."""
    _require_operator(actor)
    async with db.transaction() as txn:
        receipt = await booking.in_suspense(receipt_id, txn)
        fields = {
            "status": ReceiptStatus.REFUNDED,
            "refund": Refund(by=actor.id, reason=data.reason),
            "suspense_reason": None,
        }
        await repository.save(receipt, fields, session=txn)
        await audit.record(
            actor=actor,
            action="receipt.refund",
            entity_type="receipt",
            entity_id=receipt.id,
            after={**booking.summary(receipt), "reason": data.reason},
            session=txn,
        )
    return read_of(receipt)


async def suspense_count() -> int:
    """How many receipts wait in suspense."""
    return await repository.count_with_status(ReceiptStatus.SUSPENSE)


async def refunded_by_provider(*, receipt_id: str, reason: str) -> ReceiptRead | None:
    """The provider sent the money back itself (a card refund). A receipt in suspense is
    marked refunded; a booked one is returned as it is, its payment for operator staff to
    reverse. None when DebtX never saw the transaction."""
    async with db.transaction() as txn:
        receipt = await repository.get(receipt_id, session=txn)
        if receipt is None or receipt.status is not ReceiptStatus.SUSPENSE:
            return read_of(receipt) if receipt else None
        fields = {
            "status": ReceiptStatus.REFUNDED,
            "refund": Refund(by=f"provider:{receipt.provider.value}", reason=reason),
            "suspense_reason": None,
        }
        await repository.save(receipt, fields, session=txn)
        await audit.record(
            actor=None,
            action="receipt.refund",
            entity_type="receipt",
            entity_id=receipt.id,
            after={**booking.summary(receipt), "reason": reason},
            session=txn,
        )
    return read_of(receipt)
