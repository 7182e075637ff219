"""Segments, strategies and standings are operator staff's."""

from __future__ import annotations

import pytest

from backend.users.models import Role
from tests.backend.dunning.conftest import configure
from tests.factories import bearer, make_account, make_user


@pytest.mark.parametrize("path", ["/segments", "/dunning/strategies", "/dunning/accounts/A-1"])
async def test_drc_staff_are_refused(client, signing_key, path):
    supervisor = await make_user(Role.DRC_SUPERVISOR)
    refused = await client.get(path, headers=bearer(signing_key, supervisor))
    assert refused.status_code == 403


async def test_an_operator_evaluates_one_account_and_reads_its_standing(client, as_operator):
    await configure(client, as_operator(), rules={"balance_min": {"LKR": 100_000}})
    account = await make_account(arrears=150_000)
    missing = await client.get(f"/dunning/accounts/{account.id}", headers=as_operator())
    assert missing.status_code == 404
    done = await client.post(f"/dunning/accounts/{account.id}/evaluate", headers=as_operator())
    assert done.json()["steps_taken"] == 1, done.text
    again = await client.post(f"/dunning/accounts/{account.id}/evaluate", headers=as_operator())
    assert again.json()["steps_taken"] == 0
    standing = (await client.get(f"/dunning/accounts/{account.id}", headers=as_operator())).json()
    assert standing["facts"]["balance"] == {"LKR": 150_000}
    assert standing["facts"]["unpaid_count"] == 1 and standing["segment_id"] == "everyone"
    assert standing["ladder"]["next_step"] == "follow-up" and standing["cycle"] == 1
