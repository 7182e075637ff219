"""Every account in chunks of ids, as workers share the daily run, ends where one pass
over all of them ends."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

from backend.core import db
from backend.dunning import repository, service, tasks
from backend.dunning.models import LedgerEntry, Standing
from tests.backend.dunning.conftest import configure
from tests.factories import make_account
from tests.harness import ROOT, settings_env

CLEARED = (
    "dunning_standings",
    "dunning_ladders",
    "dunning_ledger",
    "work_items",
    "segment_assignments",
    "notification_deliveries",
)


async def _outcome() -> tuple[list, list]:
    standings = [
        (s.id, s.segment_id, s.segment_reason, s.facts.balance, s.cycle)
        for s in await Standing.find({}).sort("_id").to_list()
    ]
    ledger = sorted(
        (e.account_id, e.step, e.strategy_version) for e in await LedgerEntry.find({}).to_list()
    )
    return standings, ledger


async def _forget(app) -> None:
    database = db.bound_client()[app.state.resources.settings.mongo.database]
    for name in CLEARED:
        await database[name].delete_many({})


async def test_chunked_evaluation_matches_a_single_pass(app, client, as_operator):
    await configure(client, as_operator(), segment="large", rules={"balance_min": {"LKR": 200_000}})
    await configure(client, as_operator(), segment="rest")
    accounts = [
        await make_account(arrears=a)
        for a in (50_000, 250_000, 0, 400_000, 120_000, 90_000, 300_000)
    ]
    ids = sorted(a.id for a in accounts)

    await service.evaluate_accounts(ids)
    single = await _outcome()
    await _forget(app)

    chunks: list[list[str]] = []

    async def run(chunk: list[str]) -> None:
        chunks.append(chunk)
        await service.evaluate_accounts(chunk)

    assert await service.evaluate_all(chunk_size=2, send=run) == 4
    assert [len(c) for c in chunks] == [2, 2, 2, 1] and [i for c in chunks for i in c] == ids
    assert await _outcome() == single
    large = {s[0] for s in single[0] if s[1] == "large"}
    assert len(large) == 3 and len(single[1]) == 6  # the paid-up account takes no step


async def test_the_cli_evaluates_every_account_once(app, settings, client, as_operator):
    await configure(client, as_operator())
    for arrears in (10_000, 0, 20_000):
        await make_account(arrears=arrears)
    done = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "backend.cli", "dunning-evaluate", "--chunk-size", "2"],
        env={"PATH": "/usr/bin:/bin", **settings_env(settings)},
        cwd=Path(ROOT),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [
        "evaluated=3",
        "steps_taken=2",
        "cleared=0",
        "held=0",
        "escalated=0",
        "chunks=2",
    ]
    assert await LedgerEntry.find({}).count() == 2


async def test_a_step_that_loses_a_write_conflict_is_taken_on_the_next_try(
    app, client, as_operator, monkeypatch
):
    await configure(client, as_operator())
    ids = sorted([(await make_account(arrears=a)).id for a in (30_000, 40_000, 50_000)])
    save = repository.save_ladder
    lost: list[str] = []

    async def conflicting(ladder, *, session=None):
        if session is not None and not lost:  # the first step's transaction loses once
            lost.append(ladder.id)
            raise db.WriteConflict("The data changed concurrently; retry the request")
        await save(ladder, session=session)

    monkeypatch.setattr(repository, "save_ladder", conflicting)
    summary = await service.evaluate_accounts(ids)

    assert lost == ids[:1] and (summary.evaluated, summary.steps_taken) == (3, 3)
    _, ledger = await _outcome()
    assert [entry[0] for entry in ledger] == ids  # one step each, the conflicted one too


def test_a_chunk_that_still_loses_a_conflict_runs_again(monkeypatch):
    runs: list[str] = []

    def run(coro):
        coro.close()
        runs.append("run")
        if len(runs) == 1:
            raise db.WriteConflict("The data changed concurrently; retry the request")
        return {"evaluated": 2}

    monkeypatch.setattr(tasks.runtime, "run", run)
    result = tasks.evaluate_chunk.apply(kwargs={"account_ids": ["A-1", "A-2"]})

    assert result.get() == {"evaluated": 2} and runs == ["run", "run"]
