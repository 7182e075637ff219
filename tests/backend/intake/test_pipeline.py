"""The chunked import, driven through the service with small chunks."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from backend.cases.models import Case, OpenCaseKey
from backend.core.settings import IntakeSettings
from backend.intake import batches, repository, service
from backend.intake.models import BatchStatus, IncidentBatch, IncidentSource
from tests.backend.intake.samples import csv_text, row

SMALL = IntakeSettings(chunk_rows=2, max_problems=3)


async def chunks_of(text: str, size: int = 7) -> AsyncIterator[bytes]:
    data = text.encode()
    for start in range(0, len(data), size):
        yield data[start : start + size]


async def run(text: str, settings: IntakeSettings = SMALL, chunks=None):
    return await service.import_rows(
        actor=None,
        source=IncidentSource.DATA_LAKE,
        fmt="csv",
        filename="lake.csv",
        chunks=chunks or chunks_of(text),
        settings=settings,
    )


async def test_repeated_account_in_a_later_chunk_is_refused():
    rows = [row(1), row(2), row(3), row(4), row(1, product_id="P1-9", external_ref="LATE")]
    batch = await run(csv_text(rows))
    assert (batch.accepted, batch.rejected) == (4, 1)
    assert batch.problems[0].row == 6 and "row 2 of this file" in batch.problems[0].reason


async def test_problem_lists_are_capped_and_the_rest_counted():
    batch = await run(csv_text([row(n, arrears="x") for n in range(1, 11)]))
    stored = await IncidentBatch.get(batch.id)
    for report in (batch, stored):
        assert (report.rejected, len(report.problems), report.problems_omitted) == (10, 3, 7)


async def test_a_stopped_import_keeps_its_committed_chunks_and_a_rerun_completes_it():
    text = csv_text([row(n) for n in range(1, 9)])

    async def cut_short() -> AsyncIterator[bytes]:
        data = text.encode()
        yield data[: len(data) * 3 // 4]
        raise ConnectionResetError("client went away")

    with pytest.raises(ConnectionResetError):
        await run(text, chunks=cut_short())
    failed = await IncidentBatch.find_one({})
    assert failed.status == BatchStatus.FAILED and "client went away" in failed.error
    assert 0 < failed.accepted < 8 and await Case.count() == failed.accepted
    again = await run(text)
    assert again.duplicates == failed.accepted and again.accepted == 8 - failed.accepted
    assert await Case.count() == 8


async def test_a_key_claimed_concurrently_falls_back_to_one_incident_at_a_time(monkeypatch):
    """Another upload claims a key after the chunk's check: only that incident is lost."""
    claimed = []
    real_known = repository.known

    async def known_then_claim(**kwargs):
        found = await real_known(**kwargs)
        if not claimed:
            key = OpenCaseKey(id="ACC-00000002|P2-1|arrears", case_id="c" * 24)
            await key.insert()  # committed outside the chunk's transaction
            claimed.append(key)
        return found

    alone = []
    real_alone = batches.BatchImport._commit_alone

    async def spy(self, unit):
        alone.append(unit.lines)
        await real_alone(self, unit)

    monkeypatch.setattr(repository, "known", known_then_claim)
    monkeypatch.setattr(batches.BatchImport, "_commit_alone", spy)
    batch = await run(csv_text([row(1), row(2), row(3)]), IntakeSettings(chunk_rows=10))
    assert (batch.accepted, batch.duplicates, batch.rejected) == (2, 1, 0)
    assert "c" * 24 in batch.duplicate_rows[0].reason and batch.duplicate_rows[0].row == 3
    assert await Case.count() == 2
    assert alone == [[2], [3], [4]]  # the chunk failed, then went one incident at a time
