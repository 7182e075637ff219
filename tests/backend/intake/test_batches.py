from __future__ import annotations

import json

import pytest

from backend.audit.models import AuditRecord
from backend.cases.models import Case, OpenCaseKey
from backend.customers.models import Account, Customer
from backend.intake.models import Incident, IncidentBatch
from backend.users.models import Role
from tests.backend.intake.samples import cpe_row, csv_text, jsonl_text, row
from tests.factories import bearer, make_user

CSV = {"content-type": "text/csv"}
JSONL = {"content-type": "application/x-ndjson"}


@pytest.fixture
async def operator(signing_key):
    return bearer(signing_key, await make_user(Role.OPERATOR_ADMIN))


def mixed_file() -> str:
    """Good rows and bad ones; the line of each row is its index + 2 (header is line 1)."""
    return csv_text(
        [
            row(1),  # line 2: fine
            cpe_row(2, "SN-2A"),  # lines 3-4: one incident, two routers on one product
            cpe_row(2, "SN-2B"),
            row(3, arrears="12,50"),  # line 5: bad amount
            row(4, overdue_since="2999-01-01"),  # line 6: future
            row(5, action="cpe"),  # line 7: CPE action without CPE
            row(6, customer_name=""),  # line 8: missing name
            row(7),  # lines 9-10: one incident, its second row has a bad mobile
            row(7, product_id="P7-2", mobile="call me"),
            row(8, product_id="P8-1"),  # lines 11-12: two products, one case
            row(8, product_id="P8-2", arrears="99.99"),
        ]
    )


async def upload(client, headers, body, content_type=CSV, **params):
    return await client.post(
        "/incidents/batches", content=body, headers={**headers, **content_type}, params=params
    )


async def test_report_counts_rows_and_names_each_problem(client, operator):
    response = await upload(client, operator, mixed_file(), filename="june.csv")
    assert response.status_code == 201, response.text
    report = response.json()
    assert report["filename"] == "june.csv" and report["status"] == "done"
    counts = {k: report[k] for k in ("rows", "accepted", "duplicates", "rejected")}
    assert counts == {"rows": 11, "accepted": 5, "duplicates": 0, "rejected": 6}
    assert report["incidents_created"] == 3
    problems = {(p["row"], p["field"]) for p in report["problems"]}
    assert {
        (5, "arrears"),
        (6, "overdue_since"),
        (7, "cpe_serial"),
        (8, "customer_name"),
    } <= problems
    assert (10, "mobile") in problems
    assert [p["reason"] for p in report["problems"] if p["row"] == 9] == [
        "not taken: the incident at row 9 is refused"
    ]
    two_routers = await Case.find_one({"account_id": "ACC-00000002"})
    assert [i.serial for i in two_routers.cpe_items] == ["SN-2A", "SN-2B"]
    two_products = await Case.find_one({"account_id": "ACC-00000008"})
    assert two_products.product_ids == ["P8-1", "P8-2"]
    assert two_products.arrears.amount == 125050 + 9999
    assert await Case.count() == 3 and await Incident.count() == 3
    incident = await Incident.find_one({"account_id": "ACC-00000008"})
    assert (incident.source, incident.row, incident.batch_id) == ("bulk_file", 11, report["id"])
    assert await AuditRecord.find({"action": "case.open"}).count() == 3


async def test_the_same_file_twice_creates_nothing_new(client, operator):
    first = (await upload(client, operator, mixed_file())).json()
    before = {
        "cases": await Case.count(),
        "keys": await OpenCaseKey.count(),
        "incidents": await Incident.count(),
        "customers": [c.version async for c in Customer.find({})],
        "accounts": [a.version async for a in Account.find({})],
    }
    second = (await upload(client, operator, mixed_file())).json()
    assert second["duplicates"] == first["accepted"] == 5
    assert second["accepted"] == 0 and second["rejected"] == first["rejected"]
    assert second["same_as"] == first["id"]
    assert {d["row"] for d in second["duplicate_rows"]} == {2, 3, 4, 11, 12}
    after = {
        "cases": await Case.count(),
        "keys": await OpenCaseKey.count(),
        "incidents": await Incident.count(),
        "customers": [c.version async for c in Customer.find({})],
        "accounts": [a.version async for a in Account.find({})],
    }
    assert after == before


async def test_rows_already_in_an_open_case_are_duplicates_not_errors(client, operator):
    await upload(client, operator, csv_text([row(1)]))
    again = csv_text([row(1, external_ref="OTHER-REF")])
    report = (await upload(client, operator, again)).json()
    assert (report["duplicates"], report["rejected"], report["accepted"]) == (1, 0, 0)
    case = await Case.find_one({})
    assert str(case.id) in report["duplicate_rows"][0]["reason"]


async def test_an_incident_partly_in_an_open_case_is_refused_whole(client, operator):
    await upload(client, operator, csv_text([row(1)]))
    grown = csv_text([row(1, external_ref="NEW-1"), row(1, external_ref="NEW-1", product_id="X")])
    report = (await upload(client, operator, grown)).json()
    assert (report["rejected"], report["accepted"]) == (2, 0)
    first = report["problems"][0]
    assert (first["row"], first["field"]) == (2, "product_id")
    assert await Case.count() == 1


async def test_rows_of_one_incident_must_be_adjacent(client, operator):
    body = csv_text([row(1), row(2), row(1, product_id="P1-2", external_ref="INC-X")])
    report = (await upload(client, operator, body)).json()
    assert (report["accepted"], report["rejected"]) == (2, 1)
    assert "adjacent" in report["problems"][0]["reason"] and report["problems"][0]["row"] == 4


async def test_account_of_another_customer_is_refused(client, operator):
    await upload(client, operator, csv_text([row(1)]))
    router = {"cpe_serial": "S", "cpe_model": "M", "cpe_type": "router"}
    moved = csv_text([row(1, external_ref="R2", action="cpe", customer_id="CUS-X", **router)])
    report = (await upload(client, operator, moved)).json()
    assert report["rejected"] == 1 and report["problems"][0]["field"] == "customer_id"


async def test_json_lines_with_numbers_nulls_and_broken_lines(client, operator):
    lines = [
        {**row(1), "arrears": 1250.5, "nic": None},
        "not json at all",
        [1, 2, 3],
        {**row(2), "colour": "blue"},
        {**row(3), "account_id": 42},
        {**row(4), "arrears": 0.1 + 0.2},
    ]
    text = "\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n\n"
    report = (await upload(client, operator, text, JSONL)).json()
    assert (report["rows"], report["accepted"], report["rejected"]) == (6, 1, 5)
    by_row = {p["row"]: p for p in report["problems"]}
    assert by_row[2]["reason"] == "not valid JSON" and by_row[3]["field"] is None
    assert by_row[4]["field"] == "colour" and by_row[5]["field"] == "account_id"
    assert by_row[6]["field"] == "arrears"
    case = await Case.find_one({})
    assert case.arrears.amount == 125050


async def test_multipart_upload_of_csv_and_json_lines(client, operator):
    csv_part = {"file": ("june.csv", csv_text([row(1)]), "application/octet-stream")}
    report = (await client.post("/incidents/batches", files=csv_part, headers=operator)).json()
    assert (report["filename"], report["format"], report["accepted"]) == ("june.csv", "csv", 1)
    jsonl_part = {"file": ("C:\\exports\\july.jsonl", jsonl_text([row(2)]), "text/plain")}
    response = await client.post(
        "/incidents/batches", files=jsonl_part, data={"note": "ignored"}, headers=operator
    )
    report = response.json()
    assert (report["filename"], report["format"], report["accepted"]) == ("july.jsonl", "jsonl", 1)


async def test_multipart_without_a_usable_file_is_refused(client, operator):
    missing = await client.post(
        "/incidents/batches", files={"other": ("a.csv", "x", "text/csv")}, headers=operator
    )
    assert missing.status_code == 422 and missing.json()["code"] == "intake.invalid_file"
    spreadsheet = await client.post(
        "/incidents/batches", files={"file": ("a.xlsx", b"PK\x03\x04", "")}, headers=operator
    )
    assert spreadsheet.status_code == 415
    assert spreadsheet.json()["code"] == "intake.unsupported_format"
    as_json = await client.post("/incidents/batches", json={"rows": []}, headers=operator)
    assert as_json.status_code == 415 and await IncidentBatch.count() == 0


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ("external_ref,account,action\nA,B,arrears\n", "header"),
        ("", "empty"),
        (csv_text([]), "no rows"),
        ("\xff\xfe bad header\n", "header"),
    ],
)
async def test_unreadable_files_are_refused_and_nothing_is_stored(client, operator, body, detail):
    response = await upload(client, operator, body.encode("latin-1"))
    assert response.status_code == 422 and response.json()["code"] == "intake.invalid_file"
    assert detail in response.json()["detail"]
    assert await IncidentBatch.count() == 0


async def test_header_problems_are_listed(client, operator):
    response = await upload(client, operator, "External_Ref,account_id,colour,account_id\n")
    body = response.json()
    assert body["unknown_columns"] == ["colour"] and body["repeated_columns"] == ["account_id"]
    assert "overdue_since" in body["missing_columns"]


async def test_quoted_fields_bom_and_crlf(client, operator):
    text = csv_text([row(1, address='12 "Lotus" Lane,\nColombo 03'), row(2)])
    body = ("\ufeff" + text.replace("\n2", "\r\n2")).encode()
    report = (await upload(client, operator, body)).json()
    assert report["accepted"] == 2, report
    customer = await Customer.get("CUS-0000001")
    assert customer.address == '12 "Lotus" Lane, Colombo 03'


@pytest.mark.parametrize("role", [Role.DRC_SUPERVISOR, Role.RECOVERY_OFFICER])
async def test_only_operator_staff_upload_and_read_batches(client, signing_key, operator, role):
    batch_id = (await upload(client, operator, csv_text([row(1)]))).json()["id"]
    headers = bearer(signing_key, await make_user(role))
    assert (await upload(client, headers, csv_text([row(2)]))).status_code == 403
    assert (await client.get("/incidents/batches", headers=headers)).status_code == 403
    assert (await client.get(f"/incidents/batches/{batch_id}", headers=headers)).status_code == 403
    assert await Case.count() == 1


async def test_batches_are_listed_newest_first_and_read_back(client, operator):
    ids = [(await upload(client, operator, csv_text([row(n)]))).json()["id"] for n in (1, 2, 3)]
    page = (await client.get("/incidents/batches", params={"limit": 2}, headers=operator)).json()
    assert [b["id"] for b in page["items"]] == ids[::-1][:2] and "problems" not in page["items"][0]
    rest = await client.get(
        "/incidents/batches", params={"cursor": page["next_cursor"]}, headers=operator
    )
    assert [b["id"] for b in rest.json()["items"]] == ids[:1]
    one = (await client.get(f"/incidents/batches/{ids[0]}", headers=operator)).json()
    assert one["accepted"] == 1 and one["sha256"] and one["size_bytes"] > 0
    missing = await client.get(f"/incidents/batches/{'0' * 24}", headers=operator)
    assert missing.status_code == 404 and missing.json()["code"] == "intake.batch_not_found"
