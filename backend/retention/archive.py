"""Closed cases leave the live collections for `cases_archive`, with the records kept
beside them; operator staff read them there, and reports count them."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from bson import ObjectId

from backend.audit.service import Actor
from backend.cases import service as cases
from backend.cases.errors import CaseNotFound
from backend.cases.models import Case
from backend.core import clock, db
from backend.core.ids import object_id
from backend.retention import repository
from backend.retention.schemas import ArchivedCaseRead, ArchivedCaseSummary, ArchiveTotals
from backend.users.models import User


async def archive_case(*, actor: Actor | None, case: Case) -> None:
    """Move one closed case and its records to the archive, in one transaction: the
    case is either live with all its records or archived with all of them."""
    async with db.transaction() as session:
        stored = await cases.remove_closed(actor=actor, case=case, session=session)
        records = await repository.take_records(str(case.id), session=session)
        await repository.insert_archived(_archived(case, stored, records), session=session)


def _archived(case: Case, stored: dict[str, Any], records: dict[str, list]) -> dict[str, Any]:
    return {
        "_id": case.id,
        "customer_id": case.customer_id,
        "account_id": case.account_id,
        "drc_id": case.drc_id,
        "ro_id": case.ro_id,
        "outcome": case.outcome.value if case.outcome else None,
        "arrears": case.arrears.model_dump(),
        "outstanding": case.outstanding.model_dump(),
        "closed_at": case.closed_at,
        "archived_at": clock.now(),
        "case": stored,
        "records": records,
    }


async def get_archived(*, actor: User, case_id: str) -> ArchivedCaseRead:
    """An archived case with its records, for operator staff; CaseNotFound for anyone
    else, as for a live case out of reach, so ids do not leak."""
    oid = object_id(case_id)
    found = None if oid is None or not actor.is_operator else await repository.get_archived(oid)
    if found is None:
        raise CaseNotFound(f"No archived case {case_id}")
    return ArchivedCaseRead(
        case=cases.detail_of(Case.model_validate(found["case"])),
        archived_at=found["archived_at"],
        records={name: [plain(row) for row in rows] for name, rows in found["records"].items()},
    )


async def list_archived(
    *, customer_id: str | None, account_id: str | None, limit: int
) -> list[ArchivedCaseSummary]:
    """Archived cases (a customer's, an account's, or all), latest closed first."""
    filters = {
        key: value
        for key, value in (("customer_id", customer_id), ("account_id", account_id))
        if value is not None
    }
    return [_summary(row) for row in await repository.archived_where(filters, limit=limit)]


def _summary(row: dict[str, Any]) -> ArchivedCaseSummary:
    return ArchivedCaseSummary(
        id=str(row["_id"]),
        customer_name=row["case"]["customer_name"],
        **{
            k: row.get(k)
            for k in ArchivedCaseSummary.model_fields
            if k not in ("id", "customer_name")
        },
    )


async def archived_totals(
    by: Literal["drc_id", "ro_id", "outcome"],
    *,
    drc_id: str | None = None,
    closed_from: datetime | None = None,
    closed_until: datetime | None = None,
) -> list[ArchiveTotals]:
    """Archived cases per DRC, officer or outcome and currency, closed in [from, until):
    what reports add to the live cases' figures for the same period."""
    filters: dict[str, Any] = {} if drc_id is None else {"drc_id": drc_id}
    closed = {op: at for op, at in (("$gte", closed_from), ("$lt", closed_until)) if at}
    if closed:
        filters["closed_at"] = closed
    rows = await repository.archived_totals(by, filters)
    return [
        ArchiveTotals(key=r["_id"].get("key"), currency=r["_id"]["currency"], **_sums(r))
        for r in rows
    ]


def _sums(row: dict[str, Any]) -> dict[str, int]:
    return {name: row[name] for name in ("cases", "arrears", "outstanding")}


def plain(value: Any) -> Any:
    """A stored document as JSON can carry it: ObjectIds as their hex strings."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value
