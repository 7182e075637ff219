"""Uploads read ahead: counted first, so the import's progress is rows of a known total."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend.core.settings import IntakeSettings
from backend.intake import service
from backend.intake.errors import InvalidFile
from backend.intake.models import BatchStatus, IncidentBatch
from backend.intake.rows import count_rows, csv_rows, jsonl_rows
from backend.intake.uploads import Upload
from backend.users.models import Role
from tests.backend.intake.samples import csv_text, jsonl_text, row
from tests.factories import bearer, make_user


async def _chunks(text: str, size: int = 7) -> AsyncIterator[bytes]:
    data = text.encode()
    for start in range(0, len(data), size):
        yield data[start : start + size]


CSV_FILE = csv_text([row(1), row(2, arrears="12,50"), row(3), row(3, product_id="P3-2")])


@pytest.mark.parametrize(
    ("fmt", "text", "reader"),
    [
        ("csv", CSV_FILE + '\n"unterminated\n', csv_rows),
        ("jsonl", jsonl_text([row(1), row(2)]) + "\n[1]\nnot json\n", jsonl_rows),
    ],
)
async def test_the_count_is_the_rows_the_import_reads(fmt, text, reader):
    counted = await count_rows(fmt, _chunks(text))
    assert counted == len([r async for r in reader(_chunks(text))])


async def test_a_staged_upload_is_running_with_its_total_then_done_with_every_row(
    client, signing_key
):
    admin = await make_user(Role.OPERATOR_ADMIN)
    upload = Upload("csv", "june.csv", _chunks(CSV_FILE))
    staged = await service.stage_upload(actor=admin, upload=upload, settings=IntakeSettings())
    assert staged.path.is_file()
    running = await client.get(
        f"/incidents/batches/{staged.batch.id}", headers=bearer(signing_key, admin)
    )
    progress = {k: running.json()[k] for k in ("status", "rows", "expected_rows")}
    assert progress == {"status": "running", "rows": 0, "expected_rows": 4}
    batch = await service.run_staged(staged)
    report = await service.get_batch(actor=admin, batch_id=str(batch.id))
    assert report.status is BatchStatus.DONE and report.rows == report.expected_rows == 4
    assert (report.accepted, report.rejected) == (3, 1)
    assert not staged.path.exists()


@pytest.mark.parametrize("text", ["", "name,nonsense\nx,y\n", csv_text([])])
async def test_a_file_that_cannot_be_read_stores_nothing(text):
    admin = await make_user(Role.OPERATOR_ADMIN)
    upload = Upload("csv", "bad.csv", _chunks(text))
    with pytest.raises(InvalidFile):
        await service.stage_upload(actor=admin, upload=upload, settings=IntakeSettings())
    assert await IncidentBatch.find_all().count() == 0
