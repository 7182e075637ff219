"""A chunk's documents are read once, ahead: what an account reads is the same as read on
its own, an unknown id is gone, and an account asked twice in a chunk is read afresh."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.dunning import repository, service, standing
from backend.dunning.models import LedgerEntry
from tests.backend.dunning.conftest import configure
from tests.factories import make_account, make_case


async def test_read_ahead_gives_what_a_single_read_gives():
    account = await make_account(arrears=80_000)
    case = await make_case("negotiation", arrears=120_000)
    now = datetime.now(UTC)
    alone = [
        await standing.read(i, now=now, seen_since=None) for i in (account.id, case.account_id)
    ]
    async with standing.read_ahead([account.id, case.account_id, "ACC-NONE"]):
        ahead = [
            await standing.read(i, now=now, seen_since=None)
            for i in (account.id, case.account_id, "ACC-NONE")
        ]
    assert ahead[2] is None and all(r is not None for r in alone)
    for mine, theirs in zip(ahead[:2], alone, strict=True):
        assert mine is not None and theirs is not None
        assert (mine.account, mine.customer, mine.facts) == (
            theirs.account,
            theirs.customer,
            theirs.facts,
        )


async def test_an_account_asked_twice_in_a_chunk_is_read_afresh(client, as_operator):
    await configure(client, as_operator())
    account = await make_account()
    async with repository.standings_ahead([account.id]):
        assert await repository.standing(account.id) is None  # not evaluated yet
    summary = await service.evaluate_accounts([account.id, account.id, "ACC-NONE"])
    assert summary.evaluated == 2 and summary.steps_taken == 1
    assert await LedgerEntry.find({"account_id": account.id}).count() == 1
