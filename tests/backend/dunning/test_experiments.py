"""Champion/challenger: a stable split by a hash of the account id, each arm on its own
ladder, the report's figures per arm, promotion and stopping, and setups refused."""

from __future__ import annotations

import hashlib
import math
import statistics
import subprocess
import sys
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.audit.models import AuditRecord
from backend.cases.models import Case
from backend.core.money import Money
from backend.core.settings import get_settings
from backend.customers.models import Account
from backend.dunning import service
from backend.dunning.experiments import arm_of, wilson
from backend.dunning.models import Arm, Experiment, Ladder, LedgerEntry, Standing, Strategy
from backend.notifications.models import Delivery, DeliveryStatus
from backend.users.models import Role
from tests.backend.dunning.conftest import configure
from tests.backend.notifications.conftest import send_waiting
from tests.backend.payments.helpers import pay
from tests.factories import bearer, make_account, make_case, make_user

CHALLENGER = [
    {
        "key": "nudge",
        "kind": "reminder",
        "channels": ["sms"],
        "template": "dunning_follow_up",
        "wait_days": 2,
    },
    {"key": "handoff", "kind": "handoff", "wait_days": 0},
]
SMS_COST, EMAIL_COST = 250, 40


def _fields(response) -> list[str]:
    return [e["field"] for e in response.json()["errors"]]


async def _start(client, headers, *, share_bp=5000, steps=None, segment="everyone"):
    body = {
        "share_bp": share_bp,
        "challenger": {"segment_id": segment, "name": "Short ladder", "steps": steps or CHALLENGER},
    }
    return await client.put(f"/dunning/experiments/{segment}", json=body, headers=headers)


async def _salt(segment: str = "everyone") -> tuple[str, int]:
    found = await Experiment.find_one({"segment_id": segment, "status": "running"})
    return found.salt, found.share_bp


async def _both_arms(make, *, at_least: int) -> dict[Arm, list[str]]:
    """Accounts made until each arm of the running experiment has `at_least` of them."""
    salt, share = await _salt()
    arms: dict[Arm, list[str]] = {Arm.CHAMPION: [], Arm.CHALLENGER: []}
    while min(len(ids) for ids in arms.values()) < at_least:
        account_id = await make()
        arms[arm_of(salt, account_id, share)].append(account_id)
    return arms


async def _new_account() -> str:
    return (await make_account()).id


async def _first_steps(account_ids: list[str]) -> dict[str, tuple]:
    entries = await LedgerEntry.find({"account_id": {"$in": account_ids}}).to_list()
    return {e.account_id: (e.step, e.strategy_id, e.strategy_version, e.arm) for e in entries}


# --------------------------------------------------------------------------- the split


@given(
    salt=st.text(min_size=1, max_size=40),
    account_id=st.text(min_size=1, max_size=64),
    share=st.integers(min_value=1, max_value=9999),
    more=st.integers(min_value=0, max_value=9999),
)
def test_an_account_keeps_its_arm_and_a_larger_share_only_adds_accounts(
    salt, account_id, share, more
):
    arm = arm_of(salt, account_id, share)
    assert arm_of(salt, account_id, share) is arm
    digest = hashlib.sha256(f"{salt}:{account_id}".encode()).digest()
    bucket = int.from_bytes(digest[:8], "big") % 10_000
    assert (arm is Arm.CHALLENGER) == (bucket < share)
    if arm is Arm.CHALLENGER:
        assert arm_of(salt, account_id, min(share + more, 9999)) is Arm.CHALLENGER


def test_the_share_of_a_thousand_accounts_is_near_the_configured_share():
    ids = [f"ACC-{n:08d}" for n in range(1000)]
    for share in (500, 2000, 5000):
        placed = sum(arm_of("salt-1", i, share) is Arm.CHALLENGER for i in ids)
        spread = 4 * math.sqrt(1000 * share / 10_000 * (1 - share / 10_000))  # 4 sigma
        assert abs(placed - share / 10) <= spread, (share, placed)
    other_salt = [arm_of("salt-2", i, 5000) for i in ids]
    assert other_salt != [arm_of("salt-1", i, 5000) for i in ids]  # a new salt, a new split


def test_another_process_places_every_account_in_the_same_arm():
    ids = [f"ACC-{n:08d}" for n in range(200)]
    code = (
        "import sys\n"
        "from backend.dunning.experiments import arm_of\n"
        "print(''.join('c' if arm_of('s', f'ACC-{n:08d}', 3000) == 'challenger' else 'x'"
        " for n in range(200)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    here = "".join("c" if arm_of("s", i, 3000) is Arm.CHALLENGER else "x" for i in ids)
    assert done.stdout.strip() == here


def test_the_wilson_interval_matches_known_values():
    for cures, accounts, low, high in [
        (8, 10, 0.4902, 0.9433),
        (5, 10, 0.2366, 0.7634),
        (0, 10, 0.0, 0.2775),
        (81, 263, 0.2553, 0.3662),
    ]:
        found = wilson(cures, accounts)
        assert found.value == pytest.approx(cures / accounts)
        assert found.low == pytest.approx(low, abs=5e-4)
        assert found.high == pytest.approx(high, abs=5e-4)
    assert wilson(0, 0).value is None


# --------------------------------------------------------------------------- the ladders


async def test_each_arm_climbs_its_own_ladder_and_keeps_its_arm_for_the_cycle(
    client, as_operator, moving_clock
):
    await configure(client, as_operator())
    started = await _start(client, as_operator(), share_bp=5000)
    assert started.status_code == 200, started.text
    assert started.json()["challenger"]["version"] == 1
    arms = await _both_arms(_new_account, at_least=2)
    everyone = arms[Arm.CHAMPION] + arms[Arm.CHALLENGER]
    await service.evaluate_accounts(everyone)
    await service.evaluate_accounts(everyone)  # a second pass changes nothing
    taken = await _first_steps(everyone)
    assert len(await LedgerEntry.find({"account_id": {"$in": everyone}}).to_list()) == len(everyone)
    for account_id in arms[Arm.CHAMPION]:
        assert taken[account_id] == ("reminder", "everyone", 1, Arm.CHAMPION)
    for account_id in arms[Arm.CHALLENGER]:
        assert taken[account_id] == ("nudge", "everyone~challenger", 1, Arm.CHALLENGER)
    shown = await client.get(f"/dunning/accounts/{arms[Arm.CHALLENGER][0]}", headers=as_operator())
    assert shown.json()["ladder"]["arm"] == "challenger"

    changed = await _start(client, as_operator(), share_bp=9999)  # nearly everyone, from now
    assert changed.json()["challenger"]["version"] == 2
    assert changed.json()["id"] == started.json()["id"]
    moving_clock.advance(3)
    await service.evaluate_accounts(everyone)
    for account_id in arms[Arm.CHAMPION]:
        ladder = await Ladder.get(account_id)
        assert ladder.arm is Arm.CHAMPION and ladder.strategy_id == "everyone"
    entries = await LedgerEntry.find({"account_id": arms[Arm.CHAMPION][0]}).sort("_id").to_list()
    assert [e.step for e in entries] == ["reminder", "follow-up"]


# --------------------------------------------------------------------------- the report


@pytest.fixture
def message_costs(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("DEBTX_DUNNING__SMS_COST_MINOR", str(SMS_COST))
    monkeypatch.setenv("DEBTX_DUNNING__EMAIL_COST_MINOR", str(EMAIL_COST))
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def _case_account() -> str:
    return (await make_case("new", arrears=100_000)).account_id


def _mean(values: list[int]) -> tuple[float, float, float]:
    mean = statistics.fmean(values)
    half = 1.959963984540054 * statistics.stdev(values) / math.sqrt(len(values))
    return mean, mean - half, mean + half


async def test_the_report_gives_each_arms_figures_with_their_intervals(
    client, as_operator, operator, signing_key, moving_clock, edges, senders, message_costs
):
    await configure(client, as_operator())
    await _start(client, as_operator(), share_bp=5000)
    arms = await _both_arms(_case_account, at_least=3)
    everyone = arms[Arm.CHAMPION] + arms[Arm.CHALLENGER]
    start = moving_clock()
    await service.evaluate_accounts(everyone)
    await send_waiting(senders)
    sent_sms = {
        d.customer_id for d in await Delivery.find({"status": DeliveryStatus.SENT}).to_list()
    }
    assert len(sent_sms) == len(everyone)  # one SMS each, the first step of either ladder

    # paid (which account of the arm, day after the cycle's start, amount): in full cures
    plans = {
        Arm.CHAMPION: [(0, 10, 100_000), (1, 45, 30_000)],
        Arm.CHALLENGER: [(0, 5, 100_000), (1, 20, 100_000), (2, 80, 25_000), (2, 95, 10_000)],
    }
    moving_clock.advance(100)
    for arm, payments in plans.items():
        for index, day, amount in payments:
            account_id = arms[arm][index]
            [case] = await _cases_of(account_id)
            paid_at = (start + timedelta(days=day)).isoformat()
            done = await pay(client, signing_key, operator, case, amount, paid_at=paid_at)
            assert done.status_code == 201, done.text
            if amount == 100_000:  # BSS reports the account paid up
                await _paid_up(account_id)
    await service.evaluate_accounts(everyone)  # the cured leave, the rest climb (not sent)

    report = await client.get("/dunning/experiments/everyone", headers=as_operator())
    assert report.status_code == 200, report.text
    by_arm = {a["arm"]: a for a in report.json()["arms"]}
    for arm, payments in plans.items():
        found, n = by_arm[arm.value], len(arms[arm])
        cures = sum(1 for _, _, amount in payments if amount == 100_000)
        assert (found["accounts"], found["cures"]) == (n, cures)
        assert await Standing.find({"_id": {"$in": arms[arm]}, "overdue": False}).count() == cures
        rate = wilson(cures, n)
        assert found["cure_rate"] == rate.model_dump()
        for window in found["collected"]:
            values = [
                sum(a for i, d, a in payments if i == index and d < window["days"])
                for index in range(n)
            ]
            mean, low, high = _mean(values)
            assert window["currency"] == "LKR" and window["total"] == sum(values)
            assert window["mean"]["value"] == pytest.approx(mean)
            assert window["mean"]["low"] == pytest.approx(low)
            assert window["mean"]["high"] == pytest.approx(high)
        assert [w["days"] for w in found["collected"]] == [30, 60, 90]
        assert found["messages"] == n
        assert found["contacts_per_cure"] == pytest.approx(n / cures)
        assert found["cost"] == {"amount": n * SMS_COST, "currency": "LKR"}
        assert found["cost_per_cure"] == pytest.approx(n * SMS_COST / cures)
    assert by_arm["challenger"]["strategy_id"] == "everyone~challenger"


async def _cases_of(account_id: str) -> list[Case]:
    return await Case.find({"account_id": account_id}).to_list()


async def _paid_up(account_id: str) -> None:
    stored = await Account.get(account_id)
    stored.products[0].arrears = Money(amount=0)
    await stored.save()


# --------------------------------------------------------------------------- promote, stop


async def test_promotion_makes_the_challenger_the_champion_for_new_cycles(
    client, as_operator, moving_clock
):
    await configure(client, as_operator())
    await _start(client, as_operator(), share_bp=1)  # hardly anyone in the challenger
    account_id = await _new_account()
    promoted = await client.post("/dunning/experiments/everyone/promote", headers=as_operator())
    assert promoted.status_code == 200, promoted.text
    assert promoted.json()["status"] == "promoted"
    champion = (await client.get("/dunning/strategies/everyone", headers=as_operator())).json()
    assert champion["version"] == 2 and [s["key"] for s in champion["steps"]] == [
        "nudge",
        "handoff",
    ]
    [record] = await AuditRecord.find({"action": "dunning.experiment_promote"}).to_list()
    assert record.entity_id == "everyone" and record.after["champion_version"] == 2

    await service.evaluate_accounts([account_id])
    [entry] = await LedgerEntry.find({"account_id": account_id}).to_list()
    assert (entry.step, entry.strategy_id, entry.strategy_version) == ("nudge", "everyone", 2)
    assert entry.arm is None  # no experiment runs now
    again = await client.post("/dunning/experiments/everyone/promote", headers=as_operator())
    assert again.status_code == 404
    listed = (await client.get("/dunning/strategies", headers=as_operator())).json()
    assert [s["id"] for s in listed] == ["everyone"]  # a challenger is not a segment's own


async def test_a_stopped_experiment_sends_new_cycles_to_the_champion_and_a_new_one_resplits(
    client, as_operator
):
    await configure(client, as_operator())
    first = (await _start(client, as_operator(), share_bp=9999)).json()
    salt, _ = await _salt()
    stopped = await client.post("/dunning/experiments/everyone/stop", headers=as_operator())
    assert stopped.json()["status"] == "stopped"
    assert await AuditRecord.find({"action": "dunning.experiment_stop"}).count() == 1
    account_id = await _new_account()
    await service.evaluate_accounts([account_id])
    [entry] = await LedgerEntry.find({"account_id": account_id}).to_list()
    assert entry.step == "reminder" and entry.arm is None
    report = await client.get("/dunning/experiments/everyone", headers=as_operator())
    assert report.json()["experiment"]["status"] == "stopped"
    second = (await _start(client, as_operator(), share_bp=5000)).json()
    assert second["id"] != first["id"] and (await _salt())[0] != salt
    assert second["challenger"]["version"] == 2
    versions = await client.get(
        "/dunning/experiments/everyone/challenger/versions", headers=as_operator()
    )
    assert [v["version"] for v in versions.json()] == [2, 1]


# --------------------------------------------------------------------------- refused


async def test_an_invalid_setup_is_refused_naming_the_field_and_nothing_is_stored(
    client, as_operator, signing_key
):
    await configure(client, as_operator())
    await configure(client, as_operator(), segment="vip")
    broken = [{"key": "nudge", "kind": "reminder", "channels": ["sms"]}]  # no template
    body = {"share_bp": 10_000, "challenger": {"segment_id": "vip", "name": "x", "steps": broken}}
    refused = await client.put("/dunning/experiments/everyone", json=body, headers=as_operator())
    assert refused.status_code == 422
    assert refused.json()["code"] == "dunning.experiment_invalid"
    assert _fields(refused) == ["share_bp", "challenger.segment_id", "challenger.steps.0.template"]
    for share in (0, -5):
        low = await _start(client, as_operator(), share_bp=share)
        assert low.status_code == 422 and _fields(low) == ["share_bp"]
    await client.post(
        "/segments", json={"id": "bare", "name": "Bare", "rules": {}}, headers=as_operator()
    )
    bare = await _start(client, as_operator(), segment="bare")
    assert bare.status_code == 422 and _fields(bare) == ["segment_id"]
    assert await Experiment.find({}).count() == 0
    assert await Strategy.find({"challenger_of": {"$ne": None}}).count() == 0
    missing = await client.get("/dunning/experiments/everyone", headers=as_operator())
    assert missing.status_code == 404
    supervisor = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR))
    assert (await _start(client, supervisor)).status_code == 403
    assert (
        await client.get("/dunning/experiments/everyone", headers=supervisor)
    ).status_code == 403
