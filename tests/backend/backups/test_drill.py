"""The drill: data worked through the services, backed up, the database wiped, restored,
and every collection compared document for document, with its indexes; corrupt and
partial archives are refused with the database left as it was."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pytest
from pydantic import SecretStr

from backend.backups import dump, service
from backend.backups.errors import BackupRefused, BackupToolFailed
from backend.core import db
from backend.core.settings import BackupSettings
from backend.users.models import Role
from tests.backend.retention.helpers import database_state, worked_case
from tests.factories import make_case, make_user


@pytest.fixture
def backup_settings(settings, tmp_path):
    return settings.model_copy(
        update={"backups": BackupSettings(directory=tmp_path / "backups", method="export", keep=2)}
    )


def _database(settings):
    return db.bound_client()[settings.mongo.database]


async def _load() -> None:
    officer = await make_user(Role.RECOVERY_OFFICER)
    await worked_case(officer, close=False)
    await worked_case(officer, close=True)
    await make_case("mediation")
    await make_user(Role.OPERATOR_ADMIN)


async def test_backup_wipe_restore_gives_back_every_document_and_index(backup_settings):
    await _load()
    database = _database(backup_settings)
    before = await database_state(database)
    assert sum(len(c["documents"]) for c in before.values()) > 20
    made = await service.create_backup(client=db.bound_client(), settings=backup_settings)
    assert made.method == "export" and made.collections == len(before)
    assert made.documents == sum(len(c["documents"]) for c in before.values())
    for name in before:
        await database.drop_collection(name)
    assert await database.list_collection_names() == []
    done = await service.restore_backup(
        client=db.bound_client(), settings=backup_settings, path=Path(made.path)
    )
    assert done.documents == made.documents
    after = await database_state(database)
    assert after.keys() == before.keys()
    for name in before:
        assert after[name]["documents"] == before[name]["documents"], name
        assert after[name]["indexes"] == before[name]["indexes"], name


async def test_restore_replaces_what_changed_since_and_drops_what_is_new(backup_settings):
    await _load()
    database = _database(backup_settings)
    made = await service.create_backup(client=db.bound_client(), settings=backup_settings)
    before = await database_state(database)
    await make_case("assigned")
    await database["scratch"].insert_one({"made": "after the backup"})
    await service.restore_backup(
        client=db.bound_client(), settings=backup_settings, path=Path(made.path)
    )
    assert await database_state(database) == before


def _flip_byte_in(path: Path, member_name: str) -> None:
    with tarfile.open(path) as tar:
        member = tar.getmember(member_name)
        offset = member.offset_data + member.size // 2
    with path.open("r+b") as handle:
        handle.seek(offset)
        byte = handle.read(1)
        handle.seek(offset)
        handle.write(bytes([byte[0] ^ 0x01]))


def _truncate(path: Path) -> None:
    with path.open("r+b") as handle:
        handle.truncate(path.stat().st_size * 2 // 3)


@pytest.mark.parametrize(
    ("damage", "expected"),
    [
        ("flip_cases", "collections/cases.bson.gz does not match its SHA-256"),
        ("flip_manifest", "manifest does not match its checksum"),
        ("truncate", "partial"),
    ],
)
async def test_a_corrupt_or_partial_backup_is_refused_and_nothing_changes(
    backup_settings, damage, expected
):
    await _load()
    database = _database(backup_settings)
    made = await service.create_backup(client=db.bound_client(), settings=backup_settings)
    path = Path(made.path)
    if damage == "flip_cases":
        _flip_byte_in(path, "collections/cases.bson.gz")
    elif damage == "flip_manifest":
        _flip_byte_in(path, "manifest.json")
    else:
        _truncate(path)
    await make_case("assigned")  # the database moved on since: a restore would undo it
    before = await database_state(database)
    with pytest.raises(BackupRefused) as refused:
        await service.restore_backup(client=db.bound_client(), settings=backup_settings, path=path)
    assert expected in refused.value.detail
    assert await database_state(database) == before


async def test_only_the_newest_backups_are_kept(backup_settings):
    await make_case("new")
    made = [
        await service.create_backup(client=db.bound_client(), settings=backup_settings)
        for _ in range(3)
    ]
    directory = backup_settings.backups.directory
    assert made[-1].removed == [Path(made[0].path).name]
    assert sorted(p.name for p in directory.iterdir()) == sorted(
        Path(m.path).name for m in made[1:]
    )


async def test_mongodump_asked_for_but_missing_is_a_clear_failure(settings, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # neither mongodump nor mongorestore here
    asked = settings.model_copy(
        update={"backups": BackupSettings(directory=tmp_path / "b", method="mongodump")}
    )
    assert service.method_of(asked) == "mongodump"
    auto = asked.model_copy(update={"backups": BackupSettings(method="auto")})
    assert service.method_of(auto) == "export"
    with pytest.raises(BackupToolFailed, match="not on PATH"):
        await service.create_backup(client=db.bound_client(), settings=asked)
    assert list((tmp_path / "b").iterdir()) == []  # nothing half-written left behind


def test_mongorestore_is_told_to_replace_the_configured_database():
    argv = dump.restore_argv(SecretStr("mongodb://h/"), "debtx", "debtx_copy", "/tmp/d.gz")
    assert argv[0] == "mongorestore" and "--drop" in argv and "--gzip" in argv
    assert "--nsFrom=debtx.*" in argv and "--nsTo=debtx_copy.*" in argv
