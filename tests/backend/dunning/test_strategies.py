"""Strategies are checked before anything is stored, kept in versions, and every step
taken names the version; manual overrides of a ladder are audited."""

from __future__ import annotations

from backend.audit.models import AuditRecord
from backend.dunning import service
from backend.dunning.models import StrategyVersion
from tests.backend.dunning.conftest import LADDER, configure
from tests.factories import make_account


def _fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


async def test_a_strategy_with_an_invalid_step_is_refused_naming_the_field(client, as_operator):
    await configure(client, as_operator(), steps=LADDER[:1])
    broken = [
        {**LADDER[0]},
        {"key": "final", "kind": "final_notice", "channels": ["sms"]},  # no template
        {"key": "handoff", "kind": "handoff"},
        {
            "key": "late",
            "kind": "reminder",
            "channels": ["push"],
            "template": "dunning_reminder",
            "min_balance": {"XYZ": 100},
        },
    ]
    refused = await client.put(
        "/dunning/strategies/everyone",
        json={"name": "Broken", "steps": broken},
        headers=as_operator(),
    )
    assert refused.status_code == 422
    assert refused.json()["code"] == "dunning.strategy_invalid"
    assert _fields(refused) == [
        "steps.1.template",
        "steps.2.kind",
        "steps.3.channels",
        "steps.3.min_balance.XYZ",
    ]
    unknown = await client.post(
        "/dunning/strategies",
        json={"segment_id": "nobody", "name": "x", "steps": LADDER},
        headers=as_operator(),
    )
    assert unknown.status_code == 422 and _fields(unknown) == ["segment_id"]
    stored = (await client.get("/dunning/strategies/everyone", headers=as_operator())).json()
    assert stored["version"] == 1 and len(stored["steps"]) == 1
    assert await StrategyVersion.find({}).count() == 1


async def test_each_step_records_the_version_it_was_taken_under(client, as_operator, moving_clock):
    await configure(client, as_operator())
    account = await make_account()
    await service.evaluate_accounts([account.id])
    changed = [{**LADDER[0]}, {**LADDER[1], "wait_days": 1}, *LADDER[2:]]
    updated = await client.put(
        "/dunning/strategies/everyone",
        json={"name": "Shorter follow-up", "steps": changed},
        headers=as_operator(),
    )
    assert updated.json()["version"] == 2
    moving_clock.advance(3)
    await service.evaluate_accounts([account.id])
    ledger = await client.get(f"/dunning/accounts/{account.id}/ledger", headers=as_operator())
    assert [(e["step"], e["strategy_version"]) for e in ledger.json()] == [
        ("reminder", 1),
        ("follow-up", 2),
    ]
    versions = await client.get("/dunning/strategies/everyone/versions", headers=as_operator())
    assert [v["version"] for v in versions.json()] == [2, 1]


async def test_overrides_hold_and_skip_a_ladder_and_are_audited(client, as_operator, moving_clock):
    await configure(client, as_operator())
    account = await make_account()
    await service.evaluate_accounts([account.id])
    url = f"/dunning/accounts/{account.id}/override"
    held = await client.post(
        url, json={"action": "hold", "reason": "Customer in hospital"}, headers=as_operator()
    )
    assert held.json()["hold"] == "manual"
    moving_clock.advance(30)
    assert (await service.evaluate_accounts([account.id])).held == 1
    await client.post(url, json={"action": "release", "reason": "Back home"}, headers=as_operator())
    skipped = await client.post(
        url,
        json={"action": "skip_to", "step": "suspend", "reason": "Fraud suspected"},
        headers=as_operator(),
    )
    assert skipped.json()["next_step"] == "suspend", skipped.text
    await service.evaluate_accounts([account.id])
    ledger = await client.get(f"/dunning/accounts/{account.id}/ledger", headers=as_operator())
    assert [(e["step"], e["outcome"]) for e in ledger.json()] == [
        ("reminder", "messaged"),
        ("follow-up", "skipped"),
        ("final", "skipped"),
        ("suspend", "suspension_requested"),
    ]
    audited = await AuditRecord.find({"entity_id": account.id}).sort("_id").to_list()
    assert [a.action for a in audited] == [
        "dunning.hold",
        "dunning.release",
        "dunning.skip_to",
        "oss.suspension_request",  # the skipped-to step asked OSS
    ]
    assert audited[2].after["reason"] == "Fraud suspected"
    unknown = await client.post(
        url, json={"action": "skip_to", "step": "nowhere", "reason": "typo"}, headers=as_operator()
    )
    assert unknown.status_code == 422 and _fields(unknown) == ["step"]
