"""A large file imports in flat memory: peak growth does not follow the row count."""

from __future__ import annotations

import gc
import tracemalloc

from backend.core.settings import IntakeSettings
from backend.intake import service
from backend.intake.models import IncidentSource
from tests.backend.intake.samples import csv_stream

# Two chunks in flight, a capped report, the driver's buffers: a few MB whatever the size.
BOUND_BYTES = 40 * 1024 * 1024


async def peak_growth(rows: int, first: int) -> int:
    """Peak bytes allocated above the starting point while importing `rows` rows."""
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        batch = await service.import_rows(
            actor=None,
            source=IncidentSource.DATA_LAKE,
            fmt="csv",
            filename=f"{rows}.csv",
            chunks=csv_stream(rows, first=first),  # generated as read: no file held here either
            settings=IntakeSettings(),
        )
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert batch.accepted == rows
    return peak - start


async def test_memory_does_not_grow_with_the_file(capsys):
    small = await peak_growth(3_000, first=1)
    large = await peak_growth(12_000, first=1_000_001)  # new accounts: every row is written
    with capsys.disabled():
        print(f"\nintake peak memory growth: 3,000 rows {small / 1e6:.1f} MB", end="")
        print(f", 12,000 rows {large / 1e6:.1f} MB")
    assert large < BOUND_BYTES and small < BOUND_BYTES
    assert large < small * 1.5  # four times the rows, not four times the memory
