"""`debtx backup` and `debtx restore` in their own processes, against the test services."""

from __future__ import annotations

import json
from pathlib import Path

from backend.core import db
from tests.backend.retention.helpers import database_state, worked_case
from tests.factories import make_case
from tests.harness import debtx


def _cut_short(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size // 2)


async def test_backup_then_restore_from_the_command_line(app, settings, tmp_path):
    env = {"DEBTX_BACKUPS__DIRECTORY": str(tmp_path), "DEBTX_BACKUPS__METHOD": "export"}
    await worked_case(close=True)
    database = db.bound_client()[settings.mongo.database]
    code, out, err = await debtx(settings, "backup", env=env)
    assert code == 0, err
    made = json.loads(out)
    before = await database_state(database)
    await make_case("assigned")
    code, out, err = await debtx(settings, "restore", made["path"], "--yes", env=env)
    assert code == 0, err
    assert json.loads(out)["documents"] == made["documents"]
    assert await database_state(database) == before


async def test_restore_refuses_a_partial_archive_with_a_clear_message(app, settings, tmp_path):
    env = {"DEBTX_BACKUPS__DIRECTORY": str(tmp_path), "DEBTX_BACKUPS__METHOD": "export"}
    await worked_case(close=True)
    code, out, _ = await debtx(settings, "backup", env=env)
    path = Path(json.loads(out)["path"])
    _cut_short(path)
    database = db.bound_client()[settings.mongo.database]
    before = await database_state(database)
    code, out, err = await debtx(settings, "restore", str(path), "--yes", env=env)
    assert code == 1 and out == ""
    assert "backup.refused" in err and "the database was not changed" in err
    assert await database_state(database) == before
    code, _, err = await debtx(settings, "restore", str(tmp_path / "none.tar"), "--yes", env=env)
    assert code == 1 and "backup.not_found" in err
