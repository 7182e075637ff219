"""The data lake: a drop folder imported by a scheduled task, and `debtx import-datalake`."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time

import pytest
from celery import Celery

from backend.cases.models import Case
from backend.core.settings import IntakeSettings
from backend.intake import service
from backend.intake.models import Incident, IncidentBatch
from backend.worker.schedule import BEAT_SCHEDULE
from tests.backend.intake.samples import csv_text, jsonl_text, row
from tests.harness import ROOT, debtx, settings_env


@pytest.fixture
def drop(tmp_path):
    folder = tmp_path / "lake"
    folder.mkdir()
    (folder / "2025-06-01.csv").write_text(csv_text([row(1), row(2)]))
    (folder / "2025-06-02.jsonl").write_text(jsonl_text([row(3)]))
    (folder / "broken.csv").write_text("what,is,this\n1,2,3\n")
    (folder / "README.txt").write_text("not an export")
    (folder / ".2025-06-03.csv.part").write_text("still being copied")
    return folder


async def test_drop_folder_files_are_imported_once_and_moved(drop):
    settings = IntakeSettings(datalake_dir=drop)
    batches = await service.import_drop_folder(settings=settings)
    assert [(b.filename, b.accepted) for b in batches] == [
        ("2025-06-01.csv", 2),
        ("2025-06-02.jsonl", 1),
    ]
    assert sorted(p.name for p in (drop / "processed").iterdir()) == [
        "2025-06-01.csv",
        "2025-06-02.jsonl",
    ]
    assert [p.name for p in (drop / "rejected").iterdir()] == ["broken.csv"]
    assert {p.name for p in drop.iterdir() if p.is_file()} == {
        "README.txt",
        ".2025-06-03.csv.part",
    }
    assert {i.source async for i in Incident.find({})} == {"data_lake"}
    assert await service.import_drop_folder(settings=settings) == []
    assert await Case.count() == 3


async def test_a_file_with_an_earlier_name_is_kept_beside_it(drop):
    settings = IntakeSettings(datalake_dir=drop)
    await service.import_drop_folder(settings=settings)
    (drop / "2025-06-01.csv").write_text(csv_text([row(1)]))  # the export, delivered again
    [batch] = await service.import_drop_folder(settings=settings)
    assert (batch.accepted, batch.duplicates) == (0, 1)
    assert (drop / "processed" / "2025-06-01.1.csv").exists()


async def test_the_drop_folder_is_off_when_unset():
    assert await service.import_drop_folder(settings=IntakeSettings()) == []


def test_the_import_runs_daily():
    entry = BEAT_SCHEDULE["intake.import_datalake"]
    assert entry["task"] == "intake.import_datalake"
    assert entry["schedule"].hour == {1} and entry["schedule"].minute == {0}


async def test_import_datalake_command_prints_the_report(app, settings, tmp_path):
    export = tmp_path / "export.csv"
    export.write_text(csv_text([row(1), row(2, arrears="oops")]))
    status, out, err = await debtx(settings, "import-datalake", str(export))
    assert status == 0, err
    report = json.loads(out)
    assert (report["source"], report["accepted"], report["rejected"]) == ("data_lake", 1, 1)
    assert report["problems"][0]["field"] == "arrears"
    assert await IncidentBatch.count() == 1 and await Case.count() == 1
    bad = tmp_path / "export.xlsx"
    bad.write_bytes(b"PK")
    status, _, err = await debtx(settings, "import-datalake", str(bad))
    assert status == 1 and "intake.unsupported_format" in err


async def test_a_worker_runs_the_scheduled_import(app, services, settings, drop, tmp_path):
    env = {**os.environ, **settings_env(settings), "DEBTX_INTAKE__DATALAKE_DIR": str(drop)}
    done = drop / "processed" / "2025-06-02.jsonl"
    with (tmp_path / "worker.log").open("wb") as log:
        worker = await asyncio.create_subprocess_exec(
            sys.executable,
            *("-m", "celery", "-A", "backend.worker.app:celery_app", "worker", "--pool", "solo"),
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
        )
        try:
            Celery(broker=services.redis_url).send_task("intake.import_datalake")
            deadline = time.monotonic() + 90
            while time.monotonic() < deadline and not done.exists():
                assert worker.returncode is None, "the worker exited"
                await asyncio.sleep(0.3)
        finally:
            worker.terminate()
            await asyncio.wait_for(worker.wait(), 20)
    assert done.exists(), (tmp_path / "worker.log").read_text()
    assert await Case.count() == 3
