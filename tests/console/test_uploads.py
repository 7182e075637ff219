"""Bulk incident uploads in the console: the file form, progress, the row report (in process)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator

from backend.cases.models import Case
from backend.core.settings import IntakeSettings
from backend.intake import service as intake
from backend.intake.models import IncidentBatch
from backend.intake.uploads import Upload
from backend.users.models import Role
from tests.backend.intake.samples import csv_text, row
from tests.console.conftest import csrf_of, make_team, sign_in
from tests.factories import make_user

_PROGRESS = re.compile(r'<progress id="upload-progress-bar"[^>]* value="(\d+)" max="(\d+)"')


def good_file() -> str:
    return csv_text([row(1), row(2), row(3, arrears="12,50"), row(4), row(1)])


async def _operator(client, signing_key, role: Role = Role.OPERATOR_OFFICER) -> str:
    await sign_in(client, signing_key, await make_user(role))
    return csrf_of((await client.get("/console/uploads")).text)


async def _post(client, csrf: str, name: str, body: str, media_type: str = "text/csv"):
    files = {"file": (name, body.encode(), media_type), "csrf_token": (None, csrf)}
    return await client.post("/console/uploads", files=files)


async def test_an_upload_opens_cases_and_shows_its_report(app, client, signing_key):
    csrf = await _operator(client, signing_key)
    answer = await _post(client, csrf, "june.csv", good_file())
    assert answer.status_code == 303, answer.text
    page = await client.get(answer.headers["location"])
    assert page.status_code == 200
    assert _PROGRESS.search(page.text).groups() == ("5", "5")
    assert "hx-trigger" not in page.text.split('id="upload-progress"')[1].split(">")[0]
    assert await Case.find_all().count() == 3
    assert 'data-row="4"' in page.text and 'data-row="6"' in page.text  # bad amount, repeat
    assert "Download CSV" in page.text
    listing = await client.get("/console/uploads")
    assert "june.csv" in listing.text

    download = await client.get(answer.headers["location"] + "/report.csv")
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert table[0] == ["Row", "Outcome", "Field", "Problem"]
    assert [(r[0], r[1], r[2]) for r in table[1:]] == [
        ("4", "Refused", "arrears"),
        ("6", "Refused", ""),
    ]


async def test_json_lines_are_taken_too(app, client, signing_key):
    csrf = await _operator(client, signing_key, Role.OPERATOR_ADMIN)
    body = '{"external_ref": "INC-1", "action": "arrears"}\n'
    answer = await _post(client, csrf, "one.jsonl", body, "application/x-ndjson")
    assert answer.status_code == 303
    page = await client.get(answer.headers["location"])
    assert _PROGRESS.search(page.text).groups() == ("1", "1") and 'data-row="1"' in page.text


async def test_a_file_that_cannot_be_read_is_refused_beside_the_field(app, client, signing_key):
    csrf = await _operator(client, signing_key)
    cases = [
        ("bad.csv", "account,colour\nA,red\n", "text/csv", "unknown columns: account, colour"),
        ("empty.csv", csv_text([]), "text/csv", "The file has no rows"),
        ("notes.txt", "hello", "text/plain", "Send a .csv"),
        ("", "", "application/octet-stream", "Choose a CSV or JSON Lines file"),
    ]
    for name, body, media_type, reason in cases:
        answer = await _post(client, csrf, name, body, media_type)
        assert answer.status_code == 422, name
        problem = re.search(r'id="f-file-problem"[^>]*>([^<]*)<', answer.text)
        assert problem and reason in problem.group(1), (name, problem and problem.group(1))
        assert 'aria-invalid="true"' in answer.text
    assert await IncidentBatch.find_all().count() == 0
    assert await Case.find_all().count() == 0


async def test_the_upload_needs_the_form_token(app, client, signing_key):
    await _operator(client, signing_key)
    answer = await _post(client, "forged", "june.csv", good_file())
    assert answer.status_code == 403
    assert await IncidentBatch.find_all().count() == 0


async def test_supervisors_reach_no_upload(app, client, signing_key):
    csrf = await _operator(client, signing_key)
    location = (await _post(client, csrf, "june.csv", good_file())).headers["location"]
    client.cookies.clear()
    team = await make_team(officers=0)
    await sign_in(client, signing_key, team.supervisor)
    assert (await client.get("/console/uploads")).status_code == 403
    assert (await client.get(location)).status_code == 404
    assert (await client.get(location + "/report.csv")).status_code == 404
    assert "/console/uploads" not in (await client.get("/console/cases")).text


async def test_a_running_import_polls_its_progress_until_done(app, client, signing_key):
    operator = await make_user(Role.OPERATOR_ADMIN)
    await sign_in(client, signing_key, operator)
    upload = Upload("csv", "july.csv", _bytes(good_file()))
    staged = await intake.stage_upload(actor=operator, upload=upload, settings=IntakeSettings())
    path = f"/console/uploads/{staged.batch.id}"
    page = await client.get(path)
    assert _PROGRESS.search(page.text).groups() == ("0", "5")
    assert 'hx-trigger="every ' in page.text and "Importing" in page.text
    assert 'id="upload-report"' not in page.text
    await intake.run_staged(staged)
    polled = await client.get(path, headers={"hx-request": "true", "hx-target": "upload-progress"})
    assert polled.text.lstrip().startswith("<section") and "<html" not in polled.text
    assert _PROGRESS.search(polled.text).groups() == ("5", "5")
    assert "hx-trigger" not in polled.text and 'id="upload-report"' in polled.text


async def _bytes(text: str) -> AsyncIterator[bytes]:
    yield text.encode()
