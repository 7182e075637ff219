"""Commission in the console: rate tables, the new-rates form, statements and their CSV."""

from __future__ import annotations

import csv
import io
import re

from backend.commission.models import CommissionRateTable
from backend.core import clock
from backend.users.models import Role
from tests.backend.payments.helpers import day, rules
from tests.console.conftest import csrf_of, form, make_team, sign_in
from tests.console.helpers import book_earning, publish_rates
from tests.factories import make_user


def this_month() -> str:
    return clock.now().strftime("%Y-%m")


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


async def test_a_statement_csv_neutralises_formula_cells(app, client, signing_key):
    await publish_rates()
    team = await make_team(officers=0)
    case = await book_earning(team.drc_id, "=cmd|' /C calc'!A0")
    await sign_in(client, signing_key, team.supervisor)
    page = await client.get("/console/commission/statement", params={"month": this_month()})
    assert page.status_code == 200
    assert "=cmd|&#39; /C calc&#39;!A0" in page.text  # escaped on the page
    link = re.search(r'href="(/console/commission/statement\.csv\?[^"]+)"', page.text)
    download = await client.get(link.group(1).replace("&amp;", "&"))
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    assert team.drc_id in download.headers["content-disposition"]
    header, entry = _csv(download)
    assert header[:4] == ["Booked", "Kind", "Case", "Customer"]
    assert entry[2] == str(case.id) and entry[3] == "'=cmd|' /C calc'!A0"
    assert entry[-2:] == ["25.00", "LKR"]  # 2.5% of 1,000.00: the case is 120 days old


async def test_operators_open_any_drc_and_supervisors_only_their_own(app, client, signing_key):
    ours, theirs = await make_team(officers=0), await make_team(officers=0)
    await book_earning(theirs.drc_id, "Kumari Silva")
    await sign_in(client, signing_key, await make_user(Role.OPERATOR_OFFICER))
    chooser = await client.get("/console/commission")
    assert ours.drc_id in chooser.text and theirs.drc_id in chooser.text
    params = {"month": this_month(), "drc": theirs.drc_id}
    assert "Kumari Silva" in (await client.get("/console/commission/statement", params=params)).text

    client.cookies.clear()
    await sign_in(client, signing_key, ours.supervisor)
    for path in ("/console/commission/statement", "/console/commission/statement.csv"):
        refused = await client.get(path, params=params)
        assert refused.status_code == 404 and "Kumari" not in refused.text
    own = await client.get("/console/commission/statement", params={"month": this_month()})
    assert own.status_code == 200 and "Nothing was booked this month." in own.text
    bad = await client.get("/console/commission/statement", params={"month": "2025-13"})
    assert bad.status_code == 422


def _rates_form(csrf: str, rows: list[dict], **fields: str) -> dict:
    sent = {"csrf_token": csrf, "effective_from": day(0), "cpe_fee": "500.00", "note": "", **fields}
    for n, rule in enumerate(rows):
        for name, value in rule.items():
            sent[f"rules.{n}.{name}"] = "" if value is None else str(value)
    return form(**sent)


async def test_an_admin_publishes_rates_from_the_form(app, client, signing_key):
    await publish_rates()
    await sign_in(client, signing_key, await make_user(Role.OPERATOR_ADMIN))
    page = await client.get("/console/commission/rates/new")
    assert page.status_code == 200 and 'name="rules.19.rate_bp" value="' in page.text
    blank = dict.fromkeys(("recovery_type", "min_age_days", "max_age_days", "rate_bp"), "")
    body = _rates_form(csrf_of(page.text), [*rules(direct_payment=250), blank], note="2026 terms")
    answer = await client.post("/console/commission/rates", files=body)
    assert answer.status_code == 303 and answer.headers["location"].endswith("published=2")
    newest = await CommissionRateTable.find_one({"version": 2})
    assert newest and newest.cpe_fee_per_item.amount == 50_000 and len(newest.rules) == 20
    assert "Version 2" in (await client.get(answer.headers["location"])).text


async def test_problems_show_beside_their_fields_and_nothing_is_saved(app, client, signing_key):
    await sign_in(client, signing_key, await make_user(Role.OPERATOR_ADMIN))
    csrf = csrf_of((await client.get("/console/commission/rates/new")).text)
    bad_rows = rules()
    bad_rows[2]["rate_bp"] = "ten"
    bad_rows[3]["rate_bp"] = 20_000
    answer = await client.post(
        "/console/commission/rates", files=_rates_form(csrf, bad_rows, cpe_fee="5,00")
    )
    assert answer.status_code == 422
    assert problem_of(answer.text, "rules.2.rate_bp") == "enter a whole number"
    assert "10000" in problem_of(answer.text, "rules.3.rate_bp")
    assert "decimal amount" in problem_of(answer.text, "cpe_fee")
    assert 'value="ten"' in answer.text  # what was typed stays
    gap = [r for r in rules() if (r["recovery_type"], r["min_age_days"]) != ("instalment", 91)]
    answer = await client.post("/console/commission/rates", files=_rates_form(csrf, gap))
    assert answer.status_code == 422 and "instalment" in problem_of(answer.text, "rules")
    assert await CommissionRateTable.find_all().count() == 0


def problem_of(html: str, name: str) -> str:
    found = re.search(rf'id="f-{re.escape(name)}-problem"[^>]*>([^<]*)<', html)
    return found.group(1) if found else ""


async def test_only_admins_reach_the_rates_form(app, client, signing_key):
    await sign_in(client, signing_key, await make_user(Role.OPERATOR_OFFICER))
    assert (await client.get("/console/commission/rates/new")).status_code == 403
    page = await client.get("/console/commission")
    assert page.status_code == 200 and "Publish new rates" not in page.text
