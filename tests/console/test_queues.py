"""The work queues: inbox, requests, equipment approval, legal review (in process).

Each list is scoped as the API scopes it, each decision goes through the domain's
service, a bad form shows its problem beside the field and changes nothing, and another
DRC's item is the not-found page.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from backend.cases import service as cases
from backend.cases.models import Action, PartStatus
from backend.cases.phases import Phase
from backend.cpe import service as cpe
from backend.negotiations.models import Negotiation
from backend.requests import repository as request_store
from backend.requests import service as requests
from backend.requests.models import RequestStatus
from backend.requests.schemas import OfficerRequestCreate, RequestDecisionCreate
from backend.users.models import Role
from sync.models import InboxItem, InboxStatus
from tests.console.conftest import csrf_of, form, make_team, sign_in
from tests.console.queue_data import (
    awaiting_approval,
    in_legal_review,
    quarantined,
    raise_request,
    settled_conflict,
)
from tests.factories import make_case, make_user

_ROW = re.compile(r'<tr data-item-id="([0-9a-f]{24})">')


def _rows(html: str) -> list[str]:
    return _ROW.findall(html)


def _problem_beside(html: str, field: str) -> str:
    """The text shown below the field, where its problem goes."""
    match = re.search(rf'<p id="f-{re.escape(field)}-problem"[^>]*>([^<]*)</p>', html)
    assert match, f"no problem slot for {field}"
    return match.group(1)


async def _as(client, key, user) -> None:
    client.cookies.clear()
    assert (await sign_in(client, key, user)).status_code == 303


async def _post(client, page_url: str, action: str, **fields: str):
    """Post a form of `page_url` as the page would (its CSRF token included)."""
    page = await client.get(page_url)
    assert page.status_code == 200, page.text
    return await client.post(action, files=form(csrf_token=csrf_of(page.text), **fields))


# Officer requests


async def test_a_supervisor_lists_their_drcs_pending_requests_only(app, client, signing_key):
    team = await make_team()
    _, ours = await raise_request(team)
    _, decided = await raise_request(team)
    await requests.decide(
        actor=team.supervisor,
        request_id=decided.id,
        data=RequestDecisionCreate(decision="approve"),
    )
    _, theirs = await raise_request(await make_team())
    await _as(client, signing_key, team.supervisor)
    page = await client.get("/console/requests")
    assert _rows(page.text) == [ours.id]
    assert team.officers[0].display_name in page.text
    hidden = await client.get(f"/console/requests/{theirs.id}")
    assert hidden.status_code == 404 and "outside your reach" in hidden.text
    refused = await client.post(
        f"/console/requests/{theirs.id}",
        files=form(csrf_token=csrf_of(page.text), decision="approve"),
    )
    assert refused.status_code == 404
    assert (await requests.get_for(actor=team.supervisor, request_id=ours.id)).status == "pending"
    assert (await request_store.get(theirs.id)).status is RequestStatus.PENDING


async def test_a_supervisor_approves_and_rejects_through_the_service(app, client, signing_key):
    team = await make_team()
    _, first = await raise_request(team)
    _, second = await raise_request(team, officer=team.officers[1])
    await _as(client, signing_key, team.supervisor)
    url = f"/console/requests/{first.id}"
    approved = await _post(client, url, url, decision="approve")
    assert approved.status_code == 303 and approved.headers["location"].endswith("done=approve")
    listed = await client.get(approved.headers["location"])
    assert "Approved." in listed.text and _rows(listed.text) == [second.id]
    url = f"/console/requests/{second.id}"
    rejected = await _post(client, url, url, decision="reject", note="the bank will not answer")
    assert rejected.status_code == 303
    done = {
        r.id: r
        for r in (
            await requests.list_for(
                actor=team.supervisor, status=None, kind=None, case_id=None, cursor=None, limit=10
            )
        ).items
    }
    assert done[first.id].status == "approved" and done[first.id].decision.by == team.supervisor.id
    assert done[second.id].status == "rejected"
    assert done[second.id].decision.note == "the bank will not answer"


async def test_a_rejection_without_a_note_shows_beside_the_note(app, client, signing_key):
    team = await make_team()
    _, raised = await raise_request(team)
    await _as(client, signing_key, team.supervisor)
    url = f"/console/requests/{raised.id}"
    refused = await _post(client, url, url, decision="reject")
    assert refused.status_code == 422
    assert _problem_beside(refused.text, "note") == "Say why the request is rejected"
    unknown = await _post(client, url, url, decision="perhaps", note="<b>maybe</b>")
    assert unknown.status_code == 422 and _problem_beside(unknown.text, "decision")
    assert "&lt;b&gt;maybe&lt;/b&gt;" in unknown.text  # what was typed, escaped
    assert (await request_store.get(raised.id)).status is RequestStatus.PENDING


async def test_an_extension_is_for_operator_staff_to_decide(app, client, signing_key):
    team = await make_team()
    case = await make_case("assigned", ro=team.officers[0])
    until = case.validity_until + timedelta(days=20)
    raised = await requests.create(
        actor=team.officers[0],
        case=case,
        data=OfficerRequestCreate(type="validity_extension", requested_until=until),
    )
    await _as(client, signing_key, team.supervisor)
    page = await client.get(f"/console/requests/{raised.id}")
    assert "Someone else decides this request" in page.text
    assert 'name="decision"' not in page.text
    operator = await make_user(Role.OPERATOR_OFFICER)
    await _as(client, signing_key, operator)
    url = f"/console/requests/{raised.id}"
    assert (await _post(client, url, url, decision="approve")).status_code == 303
    moved = await cases.get_unscoped(str(case.id))
    assert abs(moved.validity_until - until) < timedelta(seconds=1)


async def test_a_post_without_the_token_is_refused_and_changes_nothing(app, client, signing_key):
    team = await make_team()
    _, raised = await raise_request(team)
    await _as(client, signing_key, team.supervisor)
    refused = await client.post(f"/console/requests/{raised.id}", files=form(decision="approve"))
    assert refused.status_code == 403
    assert (await request_store.get(raised.id)).status is RequestStatus.PENDING


# The review inbox


async def test_the_inbox_lists_the_drcs_items_and_hides_others(app, client, signing_key):
    team, other = await make_team(), await make_team()
    case, ours = await quarantined(team)
    _, theirs = await quarantined(other)
    await _as(client, signing_key, team.supervisor)
    page = await client.get("/console/inbox")
    assert _rows(page.text) == [str(ours.id)]
    assert team.officers[0].display_name in page.text and "negotiation.record" in page.text
    assert "sync.not_holder" in page.text and str(case.id) in page.text
    assert (await client.get(f"/console/inbox/{theirs.id}")).status_code == 404
    token = csrf_of(page.text)
    for action in ("reapply", "dismiss"):
        response = await client.post(
            f"/console/inbox/{theirs.id}/{action}", files=form(csrf_token=token, reason="no")
        )
        assert response.status_code == 404
    assert (await InboxItem.get(theirs.id)).status is InboxStatus.OPEN


async def test_reapply_applies_the_kept_mutation(app, client, signing_key):
    team = await make_team()
    case, item = await quarantined(team)
    await _as(client, signing_key, team.supervisor)
    action = f"/console/inbox/{item.id}/reapply"
    done = await _post(client, "/console/inbox", action)
    assert done.status_code == 303 and done.headers["location"].endswith("done=reapply")
    assert (await InboxItem.get(item.id)).status is InboxStatus.REAPPLIED
    assert await Negotiation.find({"case_id": str(case.id)}).count() == 1
    again = await _post(client, f"/console/inbox/{item.id}", action)
    assert again.status_code == 409  # decided once; the page says so
    assert "no longer waiting" in again.text


async def test_dismiss_needs_a_reason(app, client, signing_key):
    team = await make_team()
    _, item = await quarantined(team)
    await _as(client, signing_key, team.supervisor)
    url = f"/console/inbox/{item.id}"
    blank = await _post(client, url, f"{url}/dismiss", reason="   ")
    assert blank.status_code == 422 and _problem_beside(blank.text, "reason")
    assert (await InboxItem.get(item.id)).status is InboxStatus.OPEN
    done = await _post(client, url, f"{url}/dismiss", reason="recorded twice")
    assert done.status_code == 303
    dismissed = await InboxItem.get(item.id)
    assert dismissed.status is InboxStatus.DISMISSED and dismissed.review.note == "recorded twice"


async def test_edit_and_reapply_checks_the_mutations_schema(app, client, signing_key):
    team = await make_team()
    case, item = await quarantined(team)
    await _as(client, signing_key, team.supervisor)
    url = f"/console/inbox/{item.id}"
    page = await client.get(url)
    assert 'name="arg-channel"' in page.text and 'name="arg-promise"' in page.text
    sent = {f"arg-{k}": v for k, v in item.args.items()}
    wrong = await _post(client, url, f"{url}/edit", **{**sent, "arg-channel": "pigeon"})
    assert wrong.status_code == 422 and "Input should be" in _problem_beside(
        wrong.text, "arg-channel"
    )
    assert 'value="pigeon"' in wrong.text or ">pigeon</textarea>" in wrong.text
    not_json = await _post(client, url, f"{url}/edit", **{**sent, "arg-promise": "{amount"})
    assert not_json.status_code == 422 and "JSON" in _problem_beside(not_json.text, "arg-promise")
    future = (datetime.now(UTC) + timedelta(days=2)).isoformat()
    rule = await _post(client, url, f"{url}/edit", **{**sent, "arg-contacted_at": future})
    assert rule.status_code == 422 and _problem_beside(rule.text, "arg-contacted_at")
    assert (await InboxItem.get(item.id)).status is InboxStatus.OPEN
    assert await Negotiation.find({"case_id": str(case.id)}).count() == 0
    edited = {**sent, "arg-channel": "visit", "note": "it was a visit, not a call"}
    done = await _post(client, url, f"{url}/edit", **edited)
    assert done.status_code == 303, done.text
    [recorded] = await Negotiation.find({"case_id": str(case.id)}).to_list()
    assert recorded.channel == "visit"
    assert (await InboxItem.get(item.id)).review.note == "it was a visit, not a call"


async def test_conflicts_settled_by_rule_are_kept_to_see_and_override(app, client, signing_key):
    team = await make_team()
    _, conflict = await settled_conflict(team)
    _, waiting = await quarantined(team)
    await _as(client, signing_key, team.supervisor)
    assert _rows((await client.get("/console/inbox")).text) == [str(waiting.id)]
    settled = await client.get("/console/inbox", params={"status": "resolved"})
    assert _rows(settled.text) == [str(conflict.id)]
    assert (await client.get("/console/inbox", params={"status": "gone"})).status_code == 422
    url = f"/console/inbox/{conflict.id}"
    page = await client.get(url)
    assert "+94770000001" in page.text and "+94770000002" in page.text  # both values
    assert 'name="arg-changes"' in page.text  # a list: edited as JSON
    done = await _post(client, url, f"{url}/dismiss", reason="the phone's number is right")
    assert done.status_code == 303
    assert (await InboxItem.get(conflict.id)).status is InboxStatus.DISMISSED


async def test_operator_staff_see_every_drcs_inbox(app, client, signing_key):
    _, first = await quarantined(await make_team())
    _, second = await quarantined(await make_team())
    await _as(client, signing_key, await make_user(Role.OPERATOR_OFFICER))
    page = await client.get("/console/inbox")
    assert set(_rows(page.text)) == {str(first.id), str(second.id)}
    polled = await client.get(
        "/console/inbox", headers={"hx-request": "true", "hx-target": "queue-results"}
    )
    assert polled.status_code == 200 and "<html" not in polled.text
    assert set(_rows(polled.text)) == {str(first.id), str(second.id)}


# Equipment approval and legal review (operator staff)


async def test_operator_approves_returned_equipment(app, client, signing_key):
    waiting = await awaiting_approval()
    still_open = await make_case("assigned", action=Action.CPE)
    await _as(client, signing_key, await make_user(Role.OPERATOR_OFFICER))
    page = await client.get("/console/cpe")
    assert _rows(page.text) == [str(waiting.id)]
    assert str(still_open.id) not in page.text
    url = f"/console/cpe/{waiting.id}"
    detail = await client.get(url)
    assert "working, with its power cable" in detail.text
    blank = await _post(client, url, url, decision="reject")
    assert blank.status_code == 422
    assert _problem_beside(blank.text, "reason") == "Say why the returned equipment is rejected"
    unchanged = await cases.get_unscoped(str(waiting.id))
    assert unchanged.cpe_status is PartStatus.AWAITING_APPROVAL
    done = await _post(client, url, url, decision="approve", reference="RCMP-2291")
    assert done.status_code == 303
    approved = await cases.get_unscoped(str(waiting.id))
    assert approved.cpe_status is PartStatus.DONE
    assert (await cpe.view(case=approved)).approvals[0].reference == "RCMP-2291"
    assert _rows((await client.get("/console/cpe")).text) == []


async def test_operator_decides_a_legal_review(app, client, signing_key):
    first, second = await in_legal_review(), await in_legal_review()
    await _as(client, signing_key, await make_user(Role.OPERATOR_ADMIN))
    page = await client.get("/console/legal")
    assert set(_rows(page.text)) == {str(first.id), str(second.id)}
    url = f"/console/legal/{first.id}"
    detail = await client.get(url)
    assert "no means and no assets found" in detail.text and "Write-off" in detail.text
    short = await _post(client, url, url, decision="reject", reason="no")
    assert short.status_code == 422 and "at least 3" in _problem_beside(short.text, "reason")
    assert (await cases.get_unscoped(str(first.id))).phase is Phase.LEGAL_REVIEW
    assert (await _post(client, url, url, decision="approve")).status_code == 303
    closed = await cases.get_unscoped(str(first.id))
    assert closed.phase is Phase.CLOSED and closed.outcome == "written_off"
    url = f"/console/legal/{second.id}"
    back = await _post(client, url, url, decision="reject", reason="a new offer came in")
    assert back.status_code == 303
    assert (await cases.get_unscoped(str(second.id))).phase is Phase.MEDIATION


async def test_supervisors_do_not_work_the_operators_queues(app, client, signing_key):
    waiting = await awaiting_approval()
    supervisor = await make_user(Role.DRC_SUPERVISOR, drc_id=waiting.drc_id)
    await _as(client, signing_key, supervisor)
    home = await client.get("/console/cases")
    assert 'href="/console/cpe"' not in home.text and 'href="/console/legal"' not in home.text
    assert 'href="/console/inbox"' in home.text and 'href="/console/requests"' in home.text
    for url in ("/console/cpe", f"/console/cpe/{waiting.id}", "/console/legal"):
        assert (await client.get(url)).status_code == 403
    token = csrf_of(home.text)
    refused = await client.post(
        f"/console/cpe/{waiting.id}", files=form(csrf_token=token, decision="approve")
    )
    assert refused.status_code == 403
    assert (await cases.get_unscoped(str(waiting.id))).cpe_status is PartStatus.AWAITING_APPROVAL
