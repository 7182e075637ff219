"""Bank statement files in: each file once, each credit line handed to the receipts
service as the bank's statement report of that transaction.

A file is keyed by the SHA-256 of its bytes: the same file fetched again, or uploaded
after it was fetched, is found and nothing is done. It is read whole before anything
is booked, so a malformed file is refused with every problem and books nothing. Its
lines are then handed over one at a time and each outcome is stored as it is known; an
import whose process stopped midway is taken up from the first line not stored when
the same file comes again (the next scheduled fetch, or the operator's upload).
"""

from __future__ import annotations

import hashlib
from datetime import timedelta

from backend.audit import service as audit
from backend.banking import repository
from backend.banking.errors import StatementNotFound, StatementTooLarge
from backend.banking.models import (
    BankStatement,
    ImportStatus,
    LineOutcome,
    StatementLineRead,
    StatementOrigin,
)
from backend.banking.parsing import ParsedStatement, StatementLine, parse
from backend.banking.schemas import StatementRead, StatementSummary
from backend.core import clock
from backend.core.logging import get_logger
from backend.core.settings import BankSettings
from backend.receipts import service as receipts
from backend.receipts.models import Provider, Source
from backend.receipts.schemas import ProviderReport, ReceiptRead
from backend.users.models import User

log = get_logger("debtx.banking")

STALE = timedelta(minutes=10)  # an import unchanged this long belonged to a process that died


def digest(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


async def import_statement(
    *,
    content: bytes,
    filename: str,
    origin: StatementOrigin,
    settings: BankSettings,
    actor: User | None = None,
    remote_id: str | None = None,
) -> StatementRead:
    """Import a statement file once; the same content again returns the first import."""
    if len(content) > settings.max_statement_bytes:
        raise StatementTooLarge(
            f"the file is {len(content)} bytes", limit=settings.max_statement_bytes
        )
    key = digest(content)
    known = await repository.get(key)
    if known is not None and not interrupted(known):
        return read_of(known, already_imported=True)
    if known is not None:  # the process importing it stopped midway: go on from there
        if not await repository.take_over(known):  # another process took it over first
            return read_of(await _stored(key), already_imported=True)
        await _hand_over(known, parse(content, filename).lines)
        return read_of(await _stored(key))
    parsed = parse(content, filename)  # a malformed file stops here, nothing stored
    statement = _statement_of(key, content, filename, origin, parsed, actor, remote_id)
    if await repository.claim(statement) is None:  # a concurrent import of the same file
        return read_of(await _stored(key), already_imported=True)
    await audit.record(
        actor=actor,
        action="bank.statement_import",
        entity_type="bank_statement",
        entity_id=key,
        after={"filename": filename, "origin": origin.value, "lines": len(parsed.lines)},
    )
    await _hand_over(statement, parsed.lines)
    log.info("bank.statement.imported", statement_id=key, lines=len(parsed.lines))
    return read_of(await _stored(key))


def interrupted(statement: BankStatement) -> bool:
    """Still importing, its last line long ago: the process importing it stopped."""
    stale = statement.touched_at < clock.now() - STALE
    return statement.status is ImportStatus.IMPORTING and stale


def _statement_of(
    key: str,
    content: bytes,
    filename: str,
    origin: StatementOrigin,
    parsed: ParsedStatement,
    actor: User | None,
    remote_id: str | None,
) -> BankStatement:
    return BankStatement(
        id=key,
        filename=filename,
        format=parsed.format,
        origin=origin,
        remote_id=remote_id,
        bank_statement_id=parsed.bank_statement_id,
        size=len(content),
        line_count=len(parsed.lines),
        imported_by=actor.id if actor else None,
    )


async def _hand_over(statement: BankStatement, lines: list[StatementLine]) -> None:
    """Each line not yet stored, to the receipts service, then the import is done."""
    for line in lines[len(statement.lines) :]:
        await repository.add_line(statement, await _line_outcome(statement, line))
    await repository.finish(statement, at=clock.now())


async def _line_outcome(statement: BankStatement, line: StatementLine) -> StatementLineRead:
    outcome = StatementLineRead(
        line=line.line,
        transaction_id=line.transaction_id,
        amount=line.amount,
        credit=line.credit,
        booking_date=line.booking_date,
        reference=line.reference,
        outcome=LineOutcome.DEBIT,
    )
    if not line.credit:  # money out of the collection account is no payment
        return outcome
    receipt = await receipts.receive(
        ProviderReport(
            provider=Provider.BANK,
            transaction_id=line.transaction_id,
            source=Source.STATEMENT,
            amount=line.amount,
            paid_at=line.booked_at,
            reference=line.reference,
            payer=line.counterparty,
            statement_id=str(statement.id),
            raw=line.raw(),
        )
    )
    return outcome.model_copy(update=outcome_of(receipt))


def outcome_of(receipt: ReceiptRead) -> dict[str, object]:
    """The receipt a report went to, as a line's outcome."""
    status = getattr(receipt.status, "value", receipt.status)
    return {
        "outcome": LineOutcome(status),
        "receipt_id": receipt.id,
        "sightings": receipt.sightings,
    }


async def _stored(key: str) -> BankStatement:
    found = await repository.get(key)
    if found is None:
        raise StatementNotFound(f"no statement {key}")
    return found


async def get_statement(*, statement_id: str) -> StatementRead:
    """An imported statement file and each line's outcome."""
    return read_of(await _stored(statement_id))


async def list_statements(*, limit: int) -> list[StatementSummary]:
    """The latest imported statement files, newest first."""
    rows = await repository.latest(before=None, limit=limit)
    return [
        StatementSummary.model_validate({**row, "id": row["_id"], "counts": row.get("counts", {})})
        for row in rows
    ]


def read_of(statement: BankStatement, *, already_imported: bool = False) -> StatementRead:
    return StatementRead(
        id=str(statement.id),
        filename=statement.filename,
        format=statement.format,
        origin=statement.origin,
        bank_statement_id=statement.bank_statement_id,
        status=statement.status,
        line_count=statement.line_count,
        counts=statement.counts,
        started_at=statement.started_at,
        imported_at=statement.imported_at,
        already_imported=already_imported,
        lines=statement.lines,
    )
