"""The collections pages over HTTP: segments, strategies, an account's standing and the
staff worklist. Operator staff only; every write goes through the service the API uses;
a refused form shows the problem beside its field and stores nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

from backend.audit.models import AuditRecord
from backend.dunning import experiments, strategies
from backend.dunning import service as dunning
from backend.dunning.models import Hold, Ladder, Strategy
from backend.dunning.schemas import ExperimentSetup, StrategyCreate
from backend.responses import service as responses
from backend.responses.models import ResponseChannel
from backend.responses.service import Incoming
from backend.segments import service as segments
from backend.segments.models import Segment, SegmentOverride
from backend.segments.schemas import SegmentCreate, SegmentRulesIn
from backend.users.models import Role
from backend.worklist import service as worklist
from backend.worklist.models import WorkItem, WorkKind, WorkStatus
from tests.backend.dunning.conftest import LADDER
from tests.backend.dunning.test_experiments import CHALLENGER
from tests.console.test_admin_pages import _as, _post, problem_beside
from tests.factories import make_account, make_user


async def test_operator_staff_create_edit_and_reorder_segments(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_OFFICER)
    created = await _post(
        client,
        "/console/segments/new",
        id="high-balance",
        name="High balance",
        **{"balance_min.LKR": "5000.50"},
        days_past_due_min="30",
        regions="Western, Southern",
    )
    assert created.status_code == 303 and created.headers["location"].endswith("segment_created")
    made = await _post(client, "/console/segments/new", id="rest", name="Everyone else")
    assert made.status_code == 303
    [first, _] = await segments.list_segments()
    assert first.rules.balance_min == {"LKR": 500_050} and first.rules.regions == [
        "Western",
        "Southern",
    ]
    listed = await client.get(created.headers["location"])
    assert "High balance" in listed.text and "Segment added." in listed.text

    edit = await client.get("/console/segments/high-balance")
    assert 'value="5000.50"' in edit.text and 'value="Western, Southern"' in edit.text
    saved = await _post(
        client, "/console/segments/high-balance", name="Large", days_past_due_min="10"
    )
    assert saved.status_code == 303
    changed = await segments.get_segment(segment_id="high-balance")
    assert changed.name == "Large" and changed.version == 2 and changed.rules.balance_min == {}

    moved = await _post(client, "/console/segments/rest/move", direction="up")
    assert moved.status_code == 303
    assert [s.id for s in await segments.list_segments()] == ["rest", "high-balance"]


async def test_a_refused_segment_shows_the_problem_beside_the_field(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_ADMIN)
    refused = await _post(
        client,
        "/console/segments/new",
        id="late",
        name="Late",
        days_past_due_min="60",
        days_past_due_max="30",
    )
    assert refused.status_code == 422 and 'value="Late"' in refused.text
    assert problem_beside(refused.text, "days_past_due_max") == "is below days_past_due_min"
    negative = await _post(
        client, "/console/segments/new", id="late", name="Late", **{"balance_max.LKR": "-1"}
    )
    assert negative.status_code == 422 and problem_beside(negative.text, "balance_max.LKR")
    assert await Segment.find_all().count() == 0


async def test_a_supervisor_finds_no_segments_page(app, client, signing_key):
    await _as(client, signing_key, Role.DRC_SUPERVISOR)
    assert (await client.get("/console/segments")).status_code == 404
    refused = await _post(client, "/console/segments/new", id="x", name="X")
    assert refused.status_code == 404 and await Segment.find_all().count() == 0


async def _segment(officer, segment_id: str = "everyone") -> None:
    data = SegmentCreate(id=segment_id, name=segment_id.title(), rules=SegmentRulesIn())
    await segments.create_segment(actor=officer, data=data)


REMINDER = {
    "steps.0.key": "reminder",
    "steps.0.kind": "reminder",
    "steps.0.template": "dunning_reminder",
    "steps.0.channels": ["sms", "email"],
    "steps.0.wait_days": "3",
}


async def test_strategy_steps_are_edited_into_new_versions(app, client, signing_key):
    officer = await _as(client, signing_key, Role.OPERATOR_OFFICER)
    await _segment(officer)
    blank = await client.get("/console/strategies/everyone")
    assert blank.status_code == 200 and 'name="steps.1.kind"' in blank.text
    created = await _post(client, "/console/strategies/everyone", name="Gentle", **REMINDER)
    assert created.status_code == 303 and created.headers["location"].endswith("strategy_saved")
    first = await strategies.get_strategy(strategy_id="everyone")
    assert first.version == 1 and [c.value for c in first.steps[0].channels] == ["sms", "email"]

    edit = await client.get("/console/strategies/everyone")
    assert 'value="reminder"' in edit.text and 'data-version="1"' in edit.text
    saved = await _post(
        client,
        "/console/strategies/everyone",
        name="Firmer",
        **{**REMINDER, "steps.0.wait_days": "2", "steps.0.min_balance.LKR": "1000.00"},
        **{"steps.1.key": "suspend", "steps.1.kind": "suspension", "steps.1.wait_days": "1"},
    )
    assert saved.status_code == 303
    now = await strategies.get_strategy(strategy_id="everyone")
    assert now.version == 2 and [s.key for s in now.steps] == ["reminder", "suspend"]
    assert now.steps[0].min_balance == {"LKR": 100_000} and now.steps[0].wait_days == 2
    listed = await client.get("/console/strategies")
    assert "Firmer" in listed.text and "version 2" in listed.text
    history = await client.get("/console/strategies/everyone")
    assert 'data-version="2"' in history.text and 'data-version="1"' in history.text


async def test_a_refused_step_shows_its_problem_and_stores_no_version(app, client, signing_key):
    officer = await _as(client, signing_key, Role.OPERATOR_ADMIN)
    await _segment(officer)
    await _post(client, "/console/strategies/everyone", name="Gentle", **REMINDER)
    refused = await _post(
        client,
        "/console/strategies/everyone",
        name="Broken",
        **{k: v for k, v in REMINDER.items() if k != "steps.0.template"},
    )
    assert refused.status_code == 422 and 'value="Broken"' in refused.text
    assert "needs a template" in problem_beside(refused.text, "steps.0.template")
    typo = await _post(
        client,
        "/console/strategies/everyone",
        name="Typo",
        **{**REMINDER, "steps.0.wait_days": "x"},
    )
    assert typo.status_code == 422 and problem_beside(typo.text, "steps.0.wait_days")
    assert (await strategies.get_strategy(strategy_id="everyone")).version == 1


async def test_a_supervisor_finds_no_strategies_page(app, client, signing_key):
    officer = await make_user(Role.OPERATOR_ADMIN)
    await _segment(officer)
    await _as(client, signing_key, Role.DRC_SUPERVISOR)
    assert (await client.get("/console/strategies")).status_code == 404
    refused = await _post(client, "/console/strategies/everyone", name="X", **REMINDER)
    assert refused.status_code == 404 and await Strategy.find_all().count() == 0


async def _account_on_a_ladder(officer) -> str:
    """An overdue account, evaluated once: its reminder taken, the suspension next."""
    await _segment(officer)
    data = StrategyCreate(segment_id="everyone", name="Standard", steps=LADDER)
    await strategies.create_strategy(actor=officer, data=data)
    account = await make_account()
    await dunning.evaluate_accounts([account.id])
    return account.id


async def test_the_account_page_shows_standing_segment_ladder_and_ledger(app, client, signing_key):
    officer = await _as(client, signing_key, Role.OPERATOR_OFFICER)
    account_id = await _account_on_a_ladder(officer)
    shown = await client.get(f"/console/accounts/{account_id}")
    assert shown.status_code == 200, shown.text
    page = shown.text
    assert 'data-segment="everyone"' in page and "matches every account" in page
    assert 'data-ledger-step="reminder"' in page and "everyone · version 1" in page
    assert "Active" in page  # the service with OSS
    assert (await client.get("/console/accounts/ACC-NOPE")).status_code == 404
    looked_up = await client.get(f"/console/accounts?account_id=+{account_id}+")
    assert looked_up.status_code == 303
    assert looked_up.headers["location"] == f"/console/accounts/{account_id}"


async def test_overrides_are_audited_and_a_refused_one_stores_nothing(app, client, signing_key):
    officer = await _as(client, signing_key, Role.OPERATOR_ADMIN)
    account_id = await _account_on_a_ladder(officer)
    await _segment(officer, "vip")
    where = f"/console/accounts/{account_id}"
    refused = await _post(
        client, f"{where}/segment", **{"segment.segment_id": "vip", "segment.reason": "x"}
    )
    assert refused.status_code == 422 and problem_beside(refused.text, "segment.reason")
    assert await SegmentOverride.find_all().count() == 0
    placed = await _post(
        client,
        f"{where}/segment",
        **{"segment.segment_id": "vip", "segment.reason": "Known to the account manager"},
    )
    assert placed.status_code == 303 and placed.headers["location"].endswith("segment_overridden")
    [audited] = await AuditRecord.find({"action": "segment.override"}).to_list()
    assert audited.actor_uid == officer.id and audited.entity_id == account_id
    shown = await client.get(placed.headers["location"])
    assert 'data-override="vip"' in shown.text and "Known to the account manager" in shown.text
    kept = await _post(client, f"{where}/unplace", **{"unplace.reason": "no"})
    assert kept.status_code == 422 and problem_beside(kept.text, "unplace.reason")
    assert await SegmentOverride.find_all().count() == 1
    cleared = await _post(client, f"{where}/unplace", **{"unplace.reason": "Rules know best"})
    assert cleared.status_code == 303 and await SegmentOverride.find_all().count() == 0
    assert await AuditRecord.find({"action": "segment.override_cleared"}).count() == 1

    behind = await _post(
        client,
        f"{where}/ladder",
        **{"ladder.action": "skip_to", "ladder.step": "reminder", "ladder.reason": "Again"},
    )
    assert behind.status_code == 422 and "behind" in problem_beside(behind.text, "ladder.step")
    release = await _post(
        client, f"{where}/ladder", **{"ladder.action": "release", "ladder.reason": "Nothing held"}
    )
    assert release.status_code == 409 and problem_beside(release.text, "ladder.action")
    held = await _post(
        client, f"{where}/ladder", **{"ladder.action": "hold", "ladder.reason": "Customer visits"}
    )
    assert held.status_code == 303
    assert (await Ladder.get(account_id)).hold == Hold.MANUAL
    assert await AuditRecord.find({"action": "dunning.hold"}).count() == 1
    assert await AuditRecord.find({"action": "dunning.skip_to"}).count() == 0


async def test_a_supervisor_finds_no_account_page(app, client, signing_key):
    officer = await make_user(Role.OPERATOR_ADMIN)
    account_id = await _account_on_a_ladder(officer)
    await _as(client, signing_key, Role.DRC_SUPERVISOR)
    assert (await client.get(f"/console/accounts/{account_id}")).status_code == 404
    refused = await _post(
        client,
        f"/console/accounts/{account_id}/ladder",
        **{"ladder.action": "hold", "ladder.reason": "Mine now"},
    )
    assert refused.status_code == 404 and (await Ladder.get(account_id)).hold is None


async def _work_item(account_id: str = "ACC-00000042") -> str:
    item = await worklist.open_item(
        kind=WorkKind.ESCALATION,
        title="No answer after the final notice",
        due=date.today(),
        account_id=account_id,
        customer_id="CUS-000042",
    )
    return str(item.id)


async def test_operator_staff_claim_and_close_worklist_items(app, client, signing_key):
    officer = await _as(client, signing_key, Role.OPERATOR_OFFICER)
    item_id = await _work_item()
    listed = await client.get("/console/worklist")
    assert listed.status_code == 200 and f'data-item-id="{item_id}"' in listed.text
    assert 'href="/console/accounts/ACC-00000042"' in listed.text and "Every kind" in listed.text
    polled = await client.get(
        "/console/worklist", headers={"hx-request": "true", "hx-target": "queue-results"}
    )
    assert polled.text.lstrip().startswith('<section id="queue-results"')
    claimed = await _post(client, f"/console/worklist/{item_id}/claim")
    assert claimed.status_code == 303 and claimed.headers["location"].endswith("done=claim")
    assert (await worklist.get_item(actor=officer, item_id=item_id)).assignee == officer.id

    refused = await _post(client, f"/console/worklist/{item_id}/close", note="")
    assert refused.status_code == 422 and problem_beside(refused.text, "note")
    assert (await worklist.get_item(actor=officer, item_id=item_id)).status is WorkStatus.CLAIMED
    closed = await _post(client, f"/console/worklist/{item_id}/close", note="Called; will pay")
    assert closed.status_code == 303
    done = await worklist.get_item(actor=officer, item_id=item_id)
    assert done.status is WorkStatus.DONE and done.notes[-1].text == "Called; will pay"
    assert f'data-item-id="{item_id}"' not in (await client.get("/console/worklist")).text


async def test_an_item_claimed_by_another_is_refused_on_its_page(app, client, signing_key):
    other = await make_user(Role.OPERATOR_OFFICER)
    item_id = await _work_item()
    await worklist.claim(actor=other, item_id=item_id)
    await _as(client, signing_key, Role.OPERATOR_OFFICER)
    refused = await _post(client, f"/console/worklist/{item_id}/close", note="Mine")
    assert refused.status_code == 409 and 'role="alert"' in refused.text
    assert (await worklist.get_item(actor=other, item_id=item_id)).status is WorkStatus.CLAIMED


async def test_a_supervisor_finds_no_worklist(app, client, signing_key):
    item_id = await _work_item()
    await _as(client, signing_key, Role.DRC_SUPERVISOR)
    assert (await client.get("/console/worklist")).status_code == 404
    assert (await client.get(f"/console/worklist/{item_id}")).status_code == 404
    refused = await _post(client, f"/console/worklist/{item_id}/claim")
    assert refused.status_code == 404 and await WorkItem.find({"assignee": None}).count() == 1


async def _experiment(officer) -> None:
    await _segment(officer)
    data = StrategyCreate(segment_id="everyone", name="Standard", steps=LADDER)
    await strategies.create_strategy(actor=officer, data=data)
    challenger = {"segment_id": "everyone", "name": "Short ladder", "steps": CHALLENGER}
    setup = ExperimentSetup.model_validate({"share_bp": 5000, "challenger": challenger})
    await experiments.set_up(actor=officer, segment_id="everyone", data=setup)
    accounts = [(await make_account()).id for _ in range(6)]
    await dunning.evaluate_accounts(accounts)


async def test_the_champion_challenger_report_and_promotion(app, client, signing_key):
    officer = await _as(client, signing_key, Role.OPERATOR_OFFICER)
    await _experiment(officer)
    listed = await client.get("/console/strategies")
    assert 'href="/console/strategies/everyone/experiment"' in listed.text
    shown = await client.get("/console/strategies/everyone/experiment")
    assert shown.status_code == 200, shown.text
    assert 'data-arm="champion"' in shown.text and 'data-arm="challenger"' in shown.text
    assert "Cure rate" in shown.text and "Contacts per cure" in shown.text
    promoted = await _post(client, "/console/strategies/everyone/experiment/promote")
    assert promoted.status_code == 303
    assert promoted.headers["location"].endswith("challenger_promoted")
    now = await strategies.get_strategy(strategy_id="everyone")
    assert now.version == 2 and [s.key for s in now.steps] == ["nudge", "handoff"]
    after = await client.get(promoted.headers["location"])
    assert 'data-experiment="promoted"' in after.text and "Promote</button>" not in after.text
    assert (await client.get("/console/strategies/nope/experiment")).status_code == 404


async def test_a_supervisor_finds_no_experiment_report(app, client, signing_key):
    await _experiment(await make_user(Role.OPERATOR_ADMIN))
    await _as(client, signing_key, Role.DRC_SUPERVISOR)
    assert (await client.get("/console/strategies/everyone/experiment")).status_code == 404
    refused = await _post(client, "/console/strategies/everyone/experiment/promote")
    assert refused.status_code == 404
    assert (await strategies.get_strategy(strategy_id="everyone")).version == 1


async def test_an_unmatched_reply_shows_on_its_worklist_item(app, client, signing_key):
    await _as(client, signing_key, Role.OPERATOR_OFFICER)
    incoming = Incoming(
        source_key="sms|console-1",
        channel=ResponseChannel.SMS,
        sender="+94770000999",
        text="I will pay next week",
        received_at=datetime.now(UTC),
    )
    received = await responses.receive(incoming)
    listed = await client.get("/console/worklist?kind=unmatched_response")
    [item] = await WorkItem.find({"kind": "unmatched_response"}).to_list()
    assert f'data-item-id="{item.id}"' in listed.text
    shown = await client.get(f"/console/worklist/{item.id}")
    assert shown.status_code == 200
    assert f'data-reply="{received.response.id}"' in shown.text
    assert "I will pay next week" in shown.text and "+94770000999" in shown.text
