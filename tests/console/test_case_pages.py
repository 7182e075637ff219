"""The case list and detail pages: reach, filters, search, pages, escaping (in process)."""

from __future__ import annotations

import re

from backend.customers import service as customers
from backend.users.models import Role
from tests.console.conftest import make_team, sign_in
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
    assert 'hx-trigger="every 15s"' in polled.text
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
