"""Transactions: a concurrent write to the same document is a 409 to retry, never a 500;
audit records are written as the transaction commits, or not at all."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from backend.audit import service as audit
from backend.audit.models import AuditRecord
from backend.core import db
from backend.drcs.models import Drc
from tests.factories import make_drc


async def test_concurrent_transactions_on_one_document_conflict_cleanly():
    drc = await make_drc()
    entered = asyncio.Event()
    release = asyncio.Event()

    async def slow_writer():
        async with db.transaction() as session:
            await db.set_fields(Drc, drc.id, {"capacity": 1}, session=session)
            entered.set()
            await release.wait()

    async def fast_writer():
        await entered.wait()
        try:
            async with db.transaction() as session:
                await db.set_fields(Drc, drc.id, {"capacity": 2}, session=session)
        finally:
            release.set()

    results = await asyncio.gather(slow_writer(), fast_writer(), return_exceptions=True)
    failures = [r for r in results if isinstance(r, Exception)]
    assert len(failures) == 1 and isinstance(failures[0], db.WriteConflict), results
    assert failures[0].status == 409 and failures[0].code == "resource.write_conflict"
    assert (await Drc.get(drc.id)).capacity in (1, 2)


async def test_a_joined_transaction_commits_with_its_caller():
    drc = await make_drc()
    with pytest.raises(RuntimeError):
        async with db.transaction() as outer:
            async with db.transaction(outer) as joined:
                assert joined is outer
                await db.set_fields(Drc, drc.id, {"capacity": 7}, session=joined)
            raise RuntimeError("the caller fails after the inner work")
    assert (await Drc.get(drc.id)).capacity != 7


async def test_audit_records_are_written_as_their_transaction_commits():
    async def trail(entity_id: str, session=None) -> list[AuditRecord]:
        found = AuditRecord.find({"entity_id": entity_id}, session=session)
        return await found.sort("+_id").to_list()

    async with db.transaction() as session:
        for n in range(3):
            await audit.record(
                actor=None,
                action=f"test.step{n}",
                entity_type="test",
                entity_id="kept",
                after={"day": date(2026, 11, 22), "n": n},  # stored as Beanie stores it
                session=session,
            )
        assert await trail("kept", session) == []  # held for the commit: one write for all
    assert [r.action for r in await trail("kept")] == ["test.step0", "test.step1", "test.step2"]
    assert (await trail("kept"))[0].after == {"day": datetime(2026, 11, 22, tzinfo=UTC), "n": 0}

    with pytest.raises(RuntimeError):
        async with db.transaction() as session:
            await audit.record(
                actor=None,
                action="test.lost",
                entity_type="test",
                entity_id="gone",
                session=session,
            )
            raise RuntimeError("the work fails: its audit records go with it")
    assert await trail("x") == []
