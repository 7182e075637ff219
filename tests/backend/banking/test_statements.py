"""Statement files imported once: by upload and by the scheduled fetch, each credit
handed to the receipts service, a malformed file refused with nothing booked."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import SecretStr

from backend.banking import service
from backend.banking.errors import StatementFetchFailed
from backend.banking.models import BankStatement, ImportStatus, StatementOrigin
from backend.core import clock
from backend.devstack.bank import camt053, csv_statement
from backend.receipts.models import ProviderRecord, Receipt, ReceiptStatus, Source
from backend.users.models import Role
from tests.backend.banking.statements import DAY, transaction
from tests.factories import bearer, make_account, make_user


async def _upload(client, signing_key, content: bytes, filename: str, role=Role.OPERATOR_OFFICER):
    user = await make_user(role)
    files = {"file": (filename, content, "application/octet-stream")}
    return await client.post("/bank/statements", files=files, headers=bearer(signing_key, user))


async def test_an_uploaded_statement_books_each_credit_once(client, signing_key):
    account = await make_account()
    paid = transaction(40_000, reference=account.id)
    unknown, debit = transaction(1_000), transaction(5_000, credit=False)
    content = camt053("STMT-1", [paid, unknown, debit])
    answer = await _upload(client, signing_key, content, "camt053.xml")
    assert answer.status_code == 201, answer.text
    report = answer.json()
    assert report["format"] == "camt053" and report["status"] == "imported"
    assert [line["outcome"] for line in report["lines"]] == ["booked", "suspense", "debit"]
    assert report["counts"] == {"booked": 1, "suspense": 1, "debit": 1}
    receipt = await Receipt.get(f"bank:{paid.transaction_id}")
    assert receipt is not None and receipt.status is ReceiptStatus.BOOKED
    assert receipt.account_id == account.id
    records = await ProviderRecord.find({"statement_id": report["id"]}).to_list()
    assert {r.source for r in records} == {Source.STATEMENT} and len(records) == 2

    again = await _upload(client, signing_key, content, "renamed.xml")
    assert again.status_code == 200 and again.json()["already_imported"] is True
    assert await ProviderRecord.count() == 2 and await Receipt.count() == 2
    assert await BankStatement.count() == 1


async def test_a_malformed_statement_is_refused_and_books_nothing(client, signing_key):
    good = csv_statement([transaction()])
    bad = good + b"2026-11-30,2026-11-30,ten,LKR,CRDT,ACC-1,A,FT9999\r\n"
    answer = await _upload(client, signing_key, bad, "statement.csv")
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    problem = answer.json()
    assert problem["code"] == "bank.statement_malformed"
    assert problem["errors"][0]["field"] == "line 3"
    assert await ProviderRecord.count() == 0 and await Receipt.count() == 0
    assert await BankStatement.count() == 0


async def test_only_operator_staff_upload_statements(client, signing_key):
    answer = await _upload(
        client, signing_key, csv_statement([transaction()]), "s.csv", Role.DRC_SUPERVISOR
    )
    assert answer.status_code == 403 and await Receipt.count() == 0


async def test_the_scheduled_fetch_imports_each_file_once(bank):
    first = bank.server.publish(DAY, "a.csv", csv_statement([transaction(), transaction()]))
    bank.server.publish(DAY, "b.xml", camt053("STMT-B", [transaction()]))
    report = await bank.fetch(today=DAY)
    assert report.listed == 2 and len(report.imported) == 2 and report.known == 0
    assert await Receipt.count() == 3

    again = await bank.fetch(today=DAY)
    assert again.imported == [] and again.known == 2
    assert len(bank.server.downloads()) == 2  # nothing downloaded the second time
    assert await ProviderRecord.count() == 3

    later = bank.server.publish(DAY, "c.csv", csv_statement([transaction()]))
    copy = bank.server.publish(DAY, "a-copy.csv", bank.server.files[first].content)
    third = await bank.fetch(today=DAY)
    assert len(third.imported) == 1 and third.known == 3  # the copy is the same file
    assert bank.server.downloads()[-2:] == [later, copy]
    assert await Receipt.count() == 4 and await BankStatement.count() == 3


async def test_a_malformed_file_at_the_bank_does_not_stop_the_others(bank):
    broken = bank.server.publish(DAY, "broken.xml", b"<Document>")
    bank.server.publish(DAY, "good.csv", csv_statement([transaction()]))
    report = await bank.fetch(today=DAY)
    assert report.refused == [broken] and len(report.imported) == 1
    assert await Receipt.count() == 1


async def test_wrong_credentials_are_refused_by_the_bank(bank):
    bank.server.publish(DAY, "a.csv", csv_statement([transaction()]))
    bank.settings = bank.settings.model_copy(update={"client_secret": SecretStr("wrong-secret")})
    with pytest.raises(StatementFetchFailed, match="401"):
        await bank.fetch(today=DAY)
    assert await Receipt.count() == 0


async def test_a_statement_may_be_the_raw_body(client, signing_key):
    operator = await make_user(Role.OPERATOR_ADMIN)
    headers = {**bearer(signing_key, operator), "content-type": "application/xml"}
    content = camt053("STMT-RAW", [transaction()])
    answer = await client.post(
        "/bank/statements?filename=raw.xml", content=content, headers=headers
    )
    assert answer.status_code == 201, answer.text
    assert (
        answer.json()["filename"] == "raw.xml" and answer.json()["bank_statement_id"] == "STMT-RAW"
    )
    listed = await client.get("/bank/statements", headers=headers)
    assert [s["id"] for s in listed.json()] == [answer.json()["id"]]
    assert listed.json()[0]["counts"] == {"suspense": 1}
    shown = await client.get(f"/bank/statements/{answer.json()['id']}", headers=headers)
    assert shown.json()["lines"][0]["outcome"] == "suspense"


async def test_operator_staff_fetch_now_through_the_api(
    app, client, signing_key, bank, monkeypatch
):
    bank.server.publish(clock.now().date(), "today.csv", csv_statement([transaction()]))
    monkeypatch.setattr(app.state.settings, "bank", bank.settings)
    operator = await make_user(Role.OPERATOR_OFFICER)
    answer = await client.post("/bank/statement-fetches", headers=bearer(signing_key, operator))
    assert answer.status_code == 200, answer.text
    assert answer.json()["listed"] == 1 and len(answer.json()["imported"]) == 1
    again = await client.post("/bank/statement-fetches", headers=bearer(signing_key, operator))
    assert again.json()["imported"] == [] and again.json()["known"] == 1


async def test_an_import_stopped_midway_goes_on_from_its_first_line_not_stored(settings):

    content = csv_statement([transaction(), transaction(), transaction()])
    done = await service.import_statement(
        content=content, filename="s.csv", origin=StatementOrigin.FETCHED, settings=settings.bank
    )
    # as a process that stopped after two lines leaves it
    last = done.lines[-1].transaction_id
    await ProviderRecord.get_pymongo_collection().delete_many({"transaction_id": last})
    await Receipt.get_pymongo_collection().delete_many({"transaction_id": last})
    long_ago = clock.now() - timedelta(hours=1)
    await BankStatement.get_pymongo_collection().update_one(
        {"_id": done.id},
        {
            "$pop": {"lines": 1},
            "$set": {"status": ImportStatus.IMPORTING.value, "touched_at": long_ago},
        },
    )
    again = await service.import_statement(
        content=content, filename="s.csv", origin=StatementOrigin.FETCHED, settings=settings.bank
    )
    assert again.status is ImportStatus.IMPORTED and not again.already_imported
    assert [line.transaction_id for line in again.lines] == [
        line.transaction_id for line in done.lines
    ]
    assert await ProviderRecord.count() == 3 and await Receipt.count() == 3
