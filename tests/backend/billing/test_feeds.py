"""Feed files from BSS, CSV and JSON Lines: each row checked, bad rows refused with their
reason, good rows kept, and a report of every row's outcome."""

from __future__ import annotations

import json

import pytest

from backend.billing import feeds
from backend.billing.models import Invoice, PaymentMethod
from backend.users.models import Role
from tests.factories import bearer, make_user

CSV = (
    "id,account_id,number,amount,currency,due_date,status,updated_at\n"
    "I1,ACC-1,INV-0001,1250.50,LKR,2026-01-10,pending,2026-01-01T08:00:00Z\n"
    "I2,ACC-1,INV-0002,-3.00,LKR,2026-02-10,pending,2026-01-01T08:00:00Z\n"
    "I3,ACC-2,INV-0003,99.00,LKR,2026-02-10,lost,2026-01-01T08:00:00Z\n"
    "I4,ACC-2,INV-0004,99.00,LKR,2026-02-10,overdue,\n"
    'I5,ACC-3,"INV-0005",10,USD,2026-03-01,draft,2026-01-01T08:00:00+05:30\n'
    "I1,ACC-1,INV-0001,1250.50,LKR,2026-01-10,pending,2026-01-01T07:00:00Z\n"
)


async def _upload(client, headers, body: str, media: str, **params):
    return await client.post(
        "/billing/feeds",
        content=body.encode(),
        headers={**headers, "content-type": media},
        params=params,
    )


@pytest.fixture
async def operator(signing_key):
    return bearer(signing_key, await make_user(Role.OPERATOR_OFFICER))


async def test_a_csv_feed_keeps_good_rows_and_refuses_bad_ones(client, operator):
    answer = await _upload(client, operator, CSV, "text/csv", kind="invoice", filename="inv.csv")

    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["rows"] == 6 and report["filename"] == "inv.csv"
    assert report["counts"] == {"created": 2, "refused": 3, "stale": 1}
    by_row = {o["row"]: o for o in report["outcomes"]}
    assert by_row[2]["outcome"] == "created" and by_row[2]["id"] == "I1"
    assert (by_row[3]["field"], by_row[4]["field"], by_row[5]["field"]) == (
        "amount",
        "status",
        "updated_at",
    )
    assert by_row[7]["outcome"] == "stale"
    assert sorted(i.id for i in await Invoice.find_all().to_list()) == ["I1", "I5"]
    assert (await Invoice.get("I1")).amount.amount == 125_050

    again = await _upload(client, operator, CSV, "text/csv", kind="invoice")
    assert again.json()["counts"] == {"unchanged": 2, "stale": 1, "refused": 3}

    listed = await client.get("/billing/feeds", headers=operator)
    assert [f["id"] for f in listed.json()["items"]] == [again.json()["id"], report["id"]]
    shown = await client.get(f"/billing/feeds/{report['id']}", headers=operator)
    assert shown.json()["outcomes"] == report["outcomes"]


async def test_a_jsonl_feed_takes_each_line_by_its_own_kind(client, operator):
    lines = [
        {
            "kind": "payment_method",
            "id": "PM-1",
            "account_id": "ACC-1",
            "type": "mobile_money",
            "updated_at": "2026-01-01T00:00:00Z",
        },
        {
            "kind": "invoice",
            "id": "I1",
            "account_id": "ACC-1",
            "number": "N1",
            "amount": 12.5,
            "due_date": "2026-01-10",
            "status": "pending",
            "updated_at": "2026-01-01T00:00:00Z",
        },
        {"kind": "plan", "id": "PL-1", "updated_at": "2026-01-01T00:00:00Z"},
    ]
    body = "\n".join(json.dumps(line) for line in lines) + "\n[1, 2]\nnot json\n\n"

    answer = await _upload(client, operator, body, "application/x-ndjson")

    report = answer.json()
    assert report["counts"] == {"created": 2, "refused": 3}
    refused = [o for o in report["outcomes"] if o["outcome"] == "refused"]
    assert [(o["row"], o["field"]) for o in refused] == [(3, "name"), (4, None), (5, None)]
    assert refused[1]["reason"] == "each line must be a JSON object"
    assert (await Invoice.get("I1")).amount.amount == 1_250
    assert await PaymentMethod.get("PM-1") is not None


async def test_a_feed_that_cannot_be_read_is_refused_whole(client, operator):
    no_kind = await _upload(client, operator, CSV, "text/csv")
    assert no_kind.status_code == 422 and no_kind.json()["code"] == "billing.invalid_feed"
    unknown = await _upload(client, operator, "id,colour\nI1,red\n", "text/csv", kind="invoice")
    assert unknown.json()["unknown_columns"] == ["colour"]
    empty = await _upload(client, operator, "", "text/csv", kind="invoice")
    assert empty.status_code == 422
    assert await Invoice.count() == 0


async def test_only_operator_staff_upload_feeds(client, signing_key):
    supervisor = bearer(signing_key, await make_user(Role.DRC_SUPERVISOR))
    answer = await _upload(client, supervisor, CSV, "text/csv", kind="invoice")
    assert answer.status_code == 403 and await Invoice.count() == 0


async def test_a_feed_file_from_disk(app, tmp_path):
    path = tmp_path / "invoices.csv"
    path.write_text(CSV)
    batch = await feeds.import_file(path=path, kind="invoice", settings=app.state.settings.billing)
    assert batch.rows == 6 and batch.counts == {"created": 2, "refused": 3, "stale": 1}


async def test_the_drop_folder_takes_each_file_by_the_kind_its_name_gives(app, tmp_path):
    drop = tmp_path / "bss"
    drop.mkdir()
    (drop / "invoices-2026-01-05.csv").write_text(CSV)
    (drop / "plans.csv").write_text("id,colour\nP1,red\n")
    line = {"kind": "group", "id": "G1", "name": "Corporate", "updated_at": "2026-01-01T00:00:00Z"}
    (drop / "mixed.jsonl").write_text(json.dumps(line) + "\n")
    settings = app.state.settings.billing.model_copy(update={"feed_dir": drop})

    batches = await feeds.import_drop_folder(settings=settings)

    assert [(b.filename, b.kind, b.rows) for b in batches] == [
        ("invoices-2026-01-05.csv", "invoice", 6),
        ("mixed.jsonl", None, 1),
    ]
    assert sorted(p.name for p in (drop / "processed").iterdir()) == [
        "invoices-2026-01-05.csv",
        "mixed.jsonl",
    ]
    assert [p.name for p in (drop / "rejected").iterdir()] == ["plans.csv"]
    assert await feeds.import_drop_folder(settings=settings) == []


def test_the_drop_folder_is_swept_hourly():
    from backend.worker.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["billing.import_feeds"]["task"] == "billing.import_feeds"


async def test_the_feed_command_prints_the_report(app, settings, tmp_path):
    from tests.harness import debtx

    path = tmp_path / "invoices.csv"
    path.write_text(CSV)
    status, out, err = await debtx(settings, "billing-feed", str(path), "--kind", "invoice")
    assert status == 0, err
    assert json.loads(out)["counts"] == {"created": 2, "refused": 3, "stale": 1}
    status, _, err = await debtx(settings, "billing-feed", str(path))
    assert status == 1 and "billing.invalid_feed" in err
