"""Transactions: a concurrent write to the same document is a 409 to retry, never a 500."""

from __future__ import annotations

import asyncio

import pytest

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
