"""The case list and detail pages: reach, filters, search, pages, escaping (in process)."""

from __future__ import annotations

import re

from backend.cases import service as cases
from backend.console import timeline
from backend.customers import service as customers
from backend.users.models import Role
from tests.console.casework import worked_case
from tests.console.conftest import csrf_of, form, make_team, sign_in
from tests.factories import make_case, make_user

_ROW = re.compile(r'<tr data-case-id="([0-9a-f]{24})">')


def _rows(html: str) -> list[str]:
    return _ROW.findall(html)


async def _supervisor_client(client, signing_key, team) -> None:
    response = await sign_in(client, signing_key, team.supervisor)
    assert response.status_code == 303


async def test_a_supervisor_sees_the_open_cases_of_their_drc_only(app, client, signing_key):
    team = await make_team()
    ours = await make_case("assigned", ro=team.officers[0])
    allocated = await make_case("allocated", drc_id=team.drc_id)
    closed = await make_case("closed")
    other = await make_case("assigned", ro=(await make_team()).officers[0])
    await _supervisor_client(client, signing_key, team)
    page = await client.get("/console/cases")
    assert set(_rows(page.text)) == {str(ours.id), str(allocated.id)}
    assert str(other.id) not in page.text and str(closed.id) not in page.text
    assert team.officers[0].display_name in page.text  # the holder's name, not a uid


async def test_filters_by_phase_and_officer(app, client, signing_key):
    team = await make_team()
    first = await make_case("negotiation", ro=team.officers[0])
    second = await make_case("assigned", ro=team.officers[1])
    allocated = await make_case("allocated", drc_id=team.drc_id)
    await _supervisor_client(client, signing_key, team)
    by_phase = await client.get("/console/cases", params={"phase": "negotiation"})
    assert _rows(by_phase.text) == [str(first.id)]
    by_officer = await client.get("/console/cases", params={"officer": team.officers[1].id})
    assert _rows(by_officer.text) == [str(second.id)]
    everything = await client.get("/console/cases", params={"phase": "all"})
    assert set(_rows(everything.text)) == {str(first.id), str(second.id), str(allocated.id)}


async def test_search_by_account_name_phone_and_case_id(app, client, signing_key):
    team = await make_team()
    nimal = await make_case("assigned", ro=team.officers[0], customer_name="Nimal Perera")
    kumari = await make_case("assigned", ro=team.officers[0], customer_name="Kumari Silva")
    phone = (await customers.get_unscoped(kumari.customer_id)).contacts[0].value
    await _supervisor_client(client, signing_key, team)

    async def found(term: str) -> list[str]:
        return _rows((await client.get("/console/cases", params={"q": term})).text)

    assert await found(nimal.account_id) == [str(nimal.id)]
    assert await found("pere") == [str(nimal.id)]  # the start of any word, any case
    assert await found("erera") == []
    assert await found(phone[:4] + " " + phone[4:]) == [str(kumari.id)]  # separators ignored
    assert await found(str(kumari.id)) == [str(kumari.id)]
    outside = await make_case("assigned", ro=(await make_team()).officers[0])
    assert await found(str(outside.id)) == []  # the reach wins over the search


async def test_pages_follow_the_api_cursor(app, client, signing_key):
    team = await make_team(officers=1)
    made = {str((await make_case("assigned", ro=team.officers[0])).id) for _ in range(27)}
    await _supervisor_client(client, signing_key, team)
    first = await client.get("/console/cases")
    link = re.search(r'rel="next" href="([^"]+)"', first.text)
    assert link and len(_rows(first.text)) == 25
    second = await client.get(link.group(1).replace("&amp;", "&"))
    assert len(_rows(second.text)) == 2
    assert set(_rows(first.text)) | set(_rows(second.text)) == made
    assert 'rel="next"' not in second.text and "First page" in second.text


async def test_htmx_asks_for_the_results_or_the_page_part(app, client, signing_key):
    team = await make_team()
    await make_case("assigned", ro=team.officers[0])
    await _supervisor_client(client, signing_key, team)
    polled = await client.get(
        "/console/cases", headers={"hx-request": "true", "hx-target": "case-results"}
    )
    assert polled.text.lstrip().startswith('<section id="case-results"')
    assert 'hx-trigger="every 15s, cases-changed from:body"' in polled.text
    part = await client.get(
        "/console/cases", headers={"hx-request": "true", "hx-target": "case-page"}
    )
    assert part.text.lstrip().startswith('<div id="case-page"') and "<html" not in part.text


async def test_bad_filters_show_the_problem_beside_the_field(app, client, signing_key):
    team = await make_team()
    await _supervisor_client(client, signing_key, team)
    response = await client.get("/console/cases", params={"q": "x" * 65, "phase": "lost"})
    assert response.status_code == 422
    assert re.search(
        r'<p id="f-q-problem" class="field-problem text-sm">String should have', response.text
    )
    assert re.search(
        r'<p id="f-phase-problem" class="field-problem text-sm">Input should be', response.text
    )
    bad_cursor = await client.get("/console/cases", params={"cursor": "bm90LWEtY3Vyc29y"})
    assert bad_cursor.status_code == 422 and "cursor" in bad_cursor.text


async def test_a_customer_name_is_text_not_markup(app, client, signing_key):
    team = await make_team()
    case = await make_case(
        "assigned", ro=team.officers[0], customer_name='<script>alert("x")</script>'
    )
    await _supervisor_client(client, signing_key, team)
    for path in ("/console/cases", f"/console/cases/{case.id}"):
        html = (await client.get(path)).text
        assert '<script>alert("x")</script>' not in html
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


async def test_the_detail_page_shows_the_case_and_its_holder(app, client, signing_key):
    team = await make_team()
    case = await make_case("negotiation", ro=team.officers[0], customer_name="Nimal Perera")
    await _supervisor_client(client, signing_key, team)
    response = await client.get(f"/console/cases/{case.id}")
    assert response.status_code == 200
    for text in ("Nimal Perera", case.account_id, team.officers[0].display_name, "Negotiation"):
        assert text in response.text


async def test_another_drcs_case_is_not_found(app, client, signing_key):
    team = await make_team()
    theirs = await make_case("assigned", ro=(await make_team()).officers[0])
    await _supervisor_client(client, signing_key, team)
    for path in (f"/console/cases/{theirs.id}", "/console/cases/not-an-id"):
        response = await client.get(path)
        assert response.status_code == 404
        assert "This page does not exist, or it is outside your reach." in response.text
        assert str(theirs.id) not in response.text.replace(f"/console/cases/{theirs.id}", "")


async def test_operators_see_every_drc_and_filter_by_one(app, client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    lanka, ceylon = await make_team(), await make_team()
    ours = await make_case("assigned", ro=lanka.officers[0])
    theirs = await make_case("assigned", ro=ceylon.officers[0])
    await sign_in(client, signing_key, admin)
    every = await client.get("/console/cases")
    assert set(_rows(every.text)) == {str(ours.id), str(theirs.id)}
    one = await client.get("/console/cases", params={"drc": lanka.drc_id})
    assert _rows(one.text) == [str(ours.id)]
    assert 'id="f-officer"' in one.text and lanka.officers[0].display_name in one.text


async def test_counts_by_phase_link_to_their_filter(app, client, signing_key):
    team = await make_team()
    await make_case("negotiation", ro=team.officers[0])
    await make_case("negotiation", ro=team.officers[1])
    await make_case("allocated", drc_id=team.drc_id)
    await make_case("assigned", ro=(await make_team()).officers[0])  # another DRC's
    await _supervisor_client(client, signing_key, team)
    polled = await client.get(
        "/console/cases", headers={"hx-request": "true", "hx-target": "case-results"}
    )
    assert _count(polled.text, "negotiation") == 2 and _count(polled.text, "allocated") == 1
    assert _count(polled.text, "assigned") == 0 and _count(polled.text, "total") == 3
    assert 'href="/console/cases?phase=negotiation"' in polled.text
    assert "cases-changed from:body" in polled.text  # counts refresh with the list
    by_officer = await client.get("/console/cases", params={"officer": team.officers[0].id})
    assert _count(by_officer.text, "negotiation") == 1
    assert f"officer={team.officers[0].id}&amp;phase=negotiation" in by_officer.text


def _count(html: str, phase: str) -> int:
    match = re.search(rf'data-count="{phase}">(\d+)<', html)
    assert match, f"no count for {phase}"
    return int(match.group(1))


async def _assign(client, case_ids, ro_id, *, params=None, **fields):
    page = await client.get("/console/cases", params=params)
    body = [("csrf_token", csrf_of(page.text)), ("ro_id", ro_id)]
    body += [("case_id", case_id) for case_id in case_ids] + list(fields.items())
    return await client.post(
        "/console/cases/assignment",
        params=params,
        files=[(name, (None, value)) for name, value in body],
        headers={"hx-request": "true", "hx-target": "bulk-assign"},
    )


async def test_bulk_assignment_hands_cases_over_and_says_why_one_was_refused(
    app, client, signing_key
):
    team = await make_team()
    waiting = await make_case("allocated", drc_id=team.drc_id)
    worked = await make_case("negotiation", ro=team.officers[0])
    held = await make_case("assigned", ro=team.officers[1])
    closed_later = await make_case("assigned", ro=team.officers[0])
    await _supervisor_client(client, signing_key, team)
    page = await client.get("/console/cases")
    assert f'name="case_id" value="{waiting.id}" form="bulk-assign"' in page.text
    assert 'for="pick-all"' in page.text and 'id="f-ro_id"' in page.text
    await _withdraw(closed_later)
    ids = [str(c.id) for c in (waiting, worked, held, closed_later)]
    response = await _assign(client, ids, team.officers[1].id)
    assert response.status_code == 200
    assert response.headers["hx-trigger"] == "cases-changed"
    found = re.findall(r'data-outcome="(\w+)" data-case="([0-9a-f]{24})"', response.text)
    assert {case_id: outcome for outcome, case_id in found} == {
        str(waiting.id): "assigned",
        str(worked.id): "assigned",
        str(held.id): "unchanged",
        str(closed_later.id): "refused",
    }
    assert "A closed case has no DRC officer to hand it to" in response.text
    for case in (waiting, worked):
        assert (await cases.get_unscoped(str(case.id))).ro_id == team.officers[1].id


async def _withdraw(case) -> None:
    from backend.cases.schemas import CaseWithdraw

    admin = await make_user(Role.OPERATOR_ADMIN)
    await cases.withdraw(actor=admin, case=case, data=CaseWithdraw(reason="paid the operator"))


async def test_an_invalid_bulk_assignment_changes_nothing(app, client, signing_key):
    team, other = await make_team(), await make_team()
    ours = await make_case("allocated", drc_id=team.drc_id)
    theirs = await make_case("allocated", drc_id=other.drc_id)
    await _supervisor_client(client, signing_key, team)
    foreign_officer = await _assign(client, [str(ours.id)], other.officers[0].id)
    assert foreign_officer.status_code == 422
    assert re.search(
        r'<p id="f-ro_id-problem" class="field-problem text-sm">\S', foreign_officer.text
    )
    out_of_reach = await _assign(client, [str(ours.id), str(theirs.id)], team.officers[0].id)
    assert out_of_reach.status_code == 404
    no_token = await client.post(
        "/console/cases/assignment",
        files=[("case_id", (None, str(ours.id))), ("ro_id", (None, team.officers[0].id))],
    )
    assert no_token.status_code == 403
    nothing = await _assign(client, [], team.officers[0].id)
    assert nothing.status_code == 422
    assert re.search(r'<p id="f-case_id-problem" class="field-problem text-sm">\S', nothing.text)
    for case in (ours, theirs):
        assert (await cases.get_unscoped(str(case.id))).ro_id is None


async def test_operators_assign_within_the_drc_they_chose(app, client, signing_key):
    admin = await make_user(Role.OPERATOR_ADMIN)
    team = await make_team()
    case = await make_case("allocated", drc_id=team.drc_id)
    await sign_in(client, signing_key, admin)
    assert 'id="bulk-assign"' not in (await client.get("/console/cases")).text
    params = {"drc": team.drc_id}
    missing_drc = await _assign(client, [str(case.id)], team.officers[0].id, params=params)
    assert missing_drc.status_code == 422  # the DRC travels in the form, as the page sends it
    done = await _assign(
        client, [str(case.id)], team.officers[0].id, params=params, drc=team.drc_id
    )
    assert done.status_code == 200 and 'data-outcome="assigned"' in done.text
    assert (await cases.get_unscoped(str(case.id))).ro_id == team.officers[0].id


async def test_the_detail_timeline_shows_every_kind_of_record(app, client, signing_key):
    team = await make_team()
    case = await worked_case(team)
    await sign_in(client, signing_key, await make_user(Role.OPERATOR_ADMIN))
    html = (await client.get(f"/console/cases/{case.id}")).text
    shown = set(re.findall(r'<tr data-entry="(\w+)">', html))
    assert shown == set(timeline.KINDS)
    for text in ("The customer asked for a month", "The customer moved house", "R-2"):
        assert text in html
    assert 'id="settlements-heading"' in html and 'id="payments-heading"' in html
    polled = await client.get(
        f"/console/cases/{case.id}", headers={"hx-request": "true", "hx-target": "case-story"}
    )
    assert polled.text.lstrip().startswith('<div id="case-story"')


async def test_a_supervisor_sees_the_timeline_within_the_apis_reach(app, client, signing_key):
    team = await make_team()
    case = await worked_case(team)
    await _supervisor_client(client, signing_key, team)
    html = (await client.get(f"/console/cases/{case.id}")).text
    shown = set(re.findall(r'<tr data-entry="(\w+)">', html))
    # no audit trail (operator staff only) and no staff pushes (supervisors see customer
    # messages only), as GET /audit and GET /notifications/deliveries answer them
    assert shown == set(timeline.KINDS) - {"audit", "notification"}
    assert team.officers[0].display_name in html  # who recorded, by name


async def test_without_scripts_the_assignment_answers_with_the_whole_list(app, client, signing_key):
    team = await make_team()
    case = await make_case("allocated", drc_id=team.drc_id, customer_name="Nimal Perera")
    await _supervisor_client(client, signing_key, team)
    page = await client.get("/console/cases", params={"phase": "allocated"})
    response = await client.post(
        "/console/cases/assignment",
        params={"phase": "allocated"},
        files=form(csrf_token=csrf_of(page.text), case_id=str(case.id), ro_id=team.officers[0].id),
    )
    assert response.status_code == 200 and "<html" in response.text
    assert f'data-outcome="assigned" data-case="{case.id}"' in response.text
    assert ">Nimal Perera</a>" in response.text
    assert _rows(response.text) == []  # the list as filtered, after the hand-over
