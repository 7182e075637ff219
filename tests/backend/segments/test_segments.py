"""Segments: rules checked before anything is stored, tried in priority order (first
match wins), reordered, and overridden per account with a reason that is audited."""

from __future__ import annotations

from backend.audit.models import AuditRecord
from backend.dunning import service as dunning
from backend.segments.models import Segment
from tests.factories import make_account


async def _segment(client, headers, key, rules, **extra):
    made = await client.post(
        "/segments", json={"id": key, "name": key.title(), "rules": rules, **extra}, headers=headers
    )
    assert made.status_code == 201, made.text
    return made.json()


async def test_an_invalid_rule_is_refused_naming_the_field(client, as_operator):
    await _segment(client, as_operator(), "kept", {"days_past_due_min": 30})
    bad = {
        "balance_min": {"USD": 100},
        "days_past_due_min": 60,
        "days_past_due_max": 30,
    }
    refused = await client.post(
        "/segments", json={"id": "bad", "name": "Bad", "rules": bad}, headers=as_operator()
    )
    assert refused.status_code == 422
    body = refused.json()
    assert body["code"] == "segment.invalid"
    assert [e["field"] for e in body["errors"]] == [
        "rules.balance_min.USD",
        "rules.days_past_due_max",
    ]
    unknown = await client.put(
        "/segments/kept",
        json={"name": "Kept", "rules": {"credit_score": 3}},
        headers=as_operator(),
    )
    assert unknown.status_code == 422
    assert unknown.json()["errors"][0]["field"].endswith("credit_score")
    [stored] = await Segment.find({}).to_list()
    assert stored.id == "kept" and stored.version == 1 and stored.rules.days_past_due_min == 30


async def test_the_first_matching_segment_wins_and_its_reason_is_visible(client, as_operator):
    await _segment(client, as_operator(), "large", {"balance_min": {"LKR": 200_000}})
    await _segment(client, as_operator(), "western", {"regions": ["Western"]})
    big = await make_account(arrears=300_000)
    small = await make_account(arrears=50_000)
    await dunning.evaluate_accounts([big.id, small.id])

    async def placed(account_id: str) -> dict:
        found = await client.get(f"/accounts/{account_id}/segment", headers=as_operator())
        return found.json()

    assert (await placed(big.id))["segment_id"] == "large"
    assert (await placed(big.id))["reason"] == "Large: balance LKR 300000 >= 200000"
    assert (await placed(small.id))["segment_id"] == "western"

    reordered = await client.put(
        "/segment-order", json={"ids": ["western", "large"]}, headers=as_operator()
    )
    assert [s["id"] for s in reordered.json()] == ["western", "large"]
    await dunning.evaluate_accounts([big.id])
    assert (await placed(big.id))["segment_id"] == "western"
    partial = await client.put("/segment-order", json={"ids": ["large"]}, headers=as_operator())
    assert partial.status_code == 422 and partial.json()["errors"][0]["field"] == "ids"


async def test_an_override_places_the_account_and_is_audited(client, as_operator):
    await _segment(client, as_operator(), "large", {"balance_min": {"LKR": 200_000}})
    await _segment(client, as_operator(), "gentle", {"days_past_due_min": 10_000})
    account = await make_account(arrears=300_000)
    url = f"/accounts/{account.id}/segment-override"
    done = await client.put(
        url, json={"segment_id": "gentle", "reason": "Hospital bills"}, headers=as_operator()
    )
    assert done.status_code == 204, done.text
    await dunning.evaluate_accounts([account.id])
    placed = (await client.get(f"/accounts/{account.id}/segment", headers=as_operator())).json()
    assert placed["segment_id"] == "gentle" and placed["overridden"] is True
    assert "Hospital bills" in placed["reason"]
    standing = (await client.get(f"/dunning/accounts/{account.id}", headers=as_operator())).json()
    assert standing["segment_id"] == "gentle"
    cleared = await client.delete(f"{url}?reason=Recovered", headers=as_operator())
    assert cleared.status_code == 204
    await dunning.evaluate_accounts([account.id])
    placed = (await client.get(f"/accounts/{account.id}/segment", headers=as_operator())).json()
    assert placed["segment_id"] == "large" and placed["overridden"] is False
    actions = [a.action for a in await AuditRecord.find({"entity_id": account.id}).to_list()]
    assert actions == ["segment.override", "segment.override_cleared"]
