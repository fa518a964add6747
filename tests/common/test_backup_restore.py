"""Backups and the restore drill: data comes back, encrypted fields stay encrypted."""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test import override_settings

from talentport.archives.models import ArchiveFile
from talentport.archives.services import archive_batch_import
from talentport.cli import main as cli_main
from talentport.common.audit_chain import chain_verify
from talentport.common.backup import backup_create
from talentport.common.crypto import decrypt
from talentport.common.services import audit_event_record
from talentport.people.models import User
from tests.archives.conftest import make_id, write_xlsx

ID_NUMBER = make_id(birth="20000101", serial=7)
GUARDIAN_PHONE = "13912345678"
SQLITE = connection.vendor == "sqlite"
POSTGRES = connection.vendor == "postgresql"


def _seed(tmp_path: Path) -> ArchiveFile:
    path = write_xlsx(
        tmp_path / "list.xlsx", [["张三", ID_NUMBER, "高三1班", "张父", GUARDIAN_PHONE]]
    )
    archive_batch_import(source=path, school="青岛二中", actor=None, filename=path.name)
    file = ArchiveFile.objects.get()
    audit_event_record(subject=file, action="test.before_backup")
    User.objects.create_user(username="leaver", password="pw-123456-Aa")
    return file


def _raw_id_column(uuid_value: Any) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id_card FROM {ArchiveFile._meta.db_table} WHERE uuid = %s",  # noqa: S608
            [uuid_value.hex if SQLITE else str(uuid_value)],
        )
        row = cursor.fetchone()
    return str(row[0])


def _run(name: str, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command(name, *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def media(tmp_path: Path) -> Any:
    root = tmp_path / "media"
    (root / "materials" / "u1").mkdir(parents=True)
    (root / "materials" / "u1" / "degree.pdf").write_bytes(b"%PDF-1.4 degree certificate")
    with override_settings(MEDIA_ROOT=root):
        yield root


@pytest.mark.skipif(not SQLITE, reason="the SQLite drill (PostgreSQL: see below)")
@pytest.mark.django_db(transaction=True)
def test_sqlite_restore_drill(tmp_path: Path, media: Path) -> None:
    # given: an archive file with an ID number, an uploaded file, and a backup of both
    file = _seed(tmp_path)
    backup = tmp_path / "backup.tar"
    made = _run("backup", "--out", str(backup))

    # then the backup is a raw copy: the row is there, the ID number only as ciphertext
    raw = backup.read_bytes()
    assert made["engine"] == "sqlite" and made["media_files"] == 1
    assert "张三".encode() in raw
    assert ID_NUMBER.encode() not in raw and ID_NUMBER[:-1].encode() not in raw
    assert GUARDIAN_PHONE.encode() not in raw

    # when: data is changed and deleted, and the upload lost
    ArchiveFile.objects.filter(pk=file.pk).update(name="李四")
    User.objects.filter(username="leaver").delete()
    (media / "materials" / "u1" / "degree.pdf").unlink()
    audit_event_record(subject=file, action="test.after_backup")
    restored = _run("restore", str(backup), "--yes")

    # then: everything is as it was when the backup was made
    assert restored["engine"] == "sqlite" and restored["migrations_match"] is True
    back = ArchiveFile.objects.get()
    assert back.name == "张三"
    assert User.objects.filter(username="leaver").exists()
    assert back.id_card == ID_NUMBER  # still decrypts
    stored = _raw_id_column(back.uuid)
    assert stored != ID_NUMBER and ID_NUMBER not in stored and decrypt(stored) == ID_NUMBER
    assert (media / "materials" / "u1" / "degree.pdf").read_bytes().startswith(b"%PDF")
    from talentport.common.models import AuditEvent

    assert not AuditEvent.objects.filter(action="test.after_backup").exists()
    assert chain_verify().ok


def _pg_url(settings_dict: dict[str, Any], name: str) -> str:
    user = settings_dict.get("USER") or "postgres"
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else f"{user}@"
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{auth}{host}:{port}/{name}"


@pytest.fixture
def scratch_database() -> Any:
    """A PostgreSQL database of its own for the restore (never the test database)."""
    import psycopg

    settings_dict = connection.settings_dict
    name = f"tp_restore_drill_{uuid.uuid4().hex[:12]}"
    admin_url = _pg_url(settings_dict, "postgres")
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield _pg_url(settings_dict, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.skipif(not POSTGRES, reason="runs when DATABASE_URL points at PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_postgresql_restore_drill(tmp_path: Path, media: Path, scratch_database: str) -> None:
    import psycopg

    # given
    file = _seed(tmp_path)
    backup = tmp_path / "backup.tar"
    made = _run("backup", "--out", str(backup))
    assert made["engine"] == "postgresql"

    # then: neither the archive nor the SQL it restores to holds the ID number in clear
    assert ID_NUMBER.encode() not in backup.read_bytes()
    with tarfile.open(backup) as tar:
        dump = tar.extractfile("database.pgdump")
        assert dump is not None
        (tmp_path / "db.pgdump").write_bytes(dump.read())
    sql = subprocess.run(
        ["pg_restore", "--data-only", "-f", "-", str(tmp_path / "db.pgdump")],
        capture_output=True,
        check=True,
    ).stdout
    assert "张三".encode() in sql
    assert ID_NUMBER.encode() not in sql and GUARDIAN_PHONE.encode() not in sql

    # when: the live data changes, and the backup is restored into the scratch database
    ArchiveFile.objects.filter(pk=file.pk).update(name="李四")
    User.objects.filter(username="leaver").delete()
    restored = _run("restore", str(backup), "--yes", "--into", scratch_database)

    # then
    assert restored["engine"] == "postgresql"
    with psycopg.connect(scratch_database) as scratch:
        name, stored = scratch.execute(
            f"SELECT name, id_card FROM {ArchiveFile._meta.db_table} WHERE uuid = %s",  # noqa: S608
            [file.uuid],
        ).fetchone()  # type: ignore[misc]
        chain = scratch.execute("SELECT count(*) FROM common_auditevent").fetchone()
        leaver = scratch.execute(
            f"SELECT count(*) FROM {User._meta.db_table} WHERE username = 'leaver'"  # noqa: S608
        ).fetchone()
    assert name == "张三"
    assert stored != ID_NUMBER and decrypt(stored) == ID_NUMBER
    assert chain is not None and chain[0] >= 1
    assert leaver == (1,)
    assert ArchiveFile.objects.get().name == "李四"  # the test database was not touched


def _tamper(backup: Path, target: Path, member: str, change: Any) -> Path:
    with tarfile.open(backup) as source, tarfile.open(target, "w") as out:
        for info in source.getmembers():
            data = source.extractfile(info)
            payload = data.read() if data is not None else b""
            if info.name == member:
                payload = change(payload)
                info.size = len(payload)
            out.addfile(info, io.BytesIO(payload))
    return target


@pytest.mark.django_db(transaction=True)
def test_a_damaged_backup_is_refused_and_nothing_changes(tmp_path: Path, media: Path) -> None:
    # given
    file = _seed(tmp_path)
    backup = Path(backup_create(out=tmp_path / "b.tar")["file"])
    database = "database.sqlite3" if SQLITE else "database.pgdump"
    damaged = _tamper(
        backup, tmp_path / "damaged.tar", database, lambda b: b[:-1] + bytes([b[-1] ^ 1])
    )
    ArchiveFile.objects.filter(pk=file.pk).update(name="李四")

    # when
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(damaged), "--yes")

    # then
    assert "校验和不符" in str(refused.value)
    assert ArchiveFile.objects.get().name == "李四"


@pytest.mark.django_db(transaction=True)
def test_a_backup_from_another_engine_is_refused(tmp_path: Path, media: Path) -> None:
    # given: a backup whose manifest says it comes from the other engine
    _seed(tmp_path)
    backup = Path(backup_create(out=tmp_path / "b.tar", media=False)["file"])
    other = "postgresql" if SQLITE else "sqlite"
    mine = "database.sqlite3" if SQLITE else "database.pgdump"
    theirs = "database.pgdump" if SQLITE else "database.sqlite3"

    def relabel(payload: bytes) -> bytes:
        manifest = json.loads(payload)
        manifest["engine"] = other
        for entry in manifest["members"]:
            if entry["name"] == mine:
                entry["name"] = theirs
        return json.dumps(manifest).encode()

    relabelled = tmp_path / "other.tar"
    with tarfile.open(backup) as source, tarfile.open(relabelled, "w") as out:
        for info in source.getmembers():
            data = source.extractfile(info)
            payload = data.read() if data is not None else b""
            if info.name == "manifest.json":
                payload = relabel(payload)
            elif info.name == mine:
                info.name = theirs
            info.size = len(payload)
            out.addfile(info, io.BytesIO(payload))

    # when
    with pytest.raises(CommandError) as refused:
        call_command("restore", str(relabelled), "--yes")

    # then
    assert "不能恢复到" in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_restore_asks_first_and_does_nothing_unless_told_yes(
    tmp_path: Path, media: Path, monkeypatch: Any, capsys: Any
) -> None:
    # given
    file = _seed(tmp_path)
    backup = Path(backup_create(out=tmp_path / "b.tar")["file"])
    ArchiveFile.objects.filter(pk=file.pk).update(name="李四")

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    # when: no terminal to ask, then a terminal answering "no"
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    no_terminal = cli_main(["restore", str(backup)])
    monkeypatch.setattr("sys.stdin", Terminal("no\n"))
    answered_no = cli_main(["restore", str(backup)])

    # then
    assert no_terminal == 2 and answered_no == 2
    assert "--yes" in capsys.readouterr().err
    assert ArchiveFile.objects.get().name == "李四"

    # and "yes" restores
    monkeypatch.setattr("sys.stdin", Terminal("yes\n"))
    assert cli_main(["restore", str(backup)]) == 0
    assert ArchiveFile.objects.get().name == "张三"


@pytest.mark.django_db(transaction=True)
def test_a_file_that_is_not_a_backup_is_refused(tmp_path: Path) -> None:
    # given
    junk = tmp_path / "junk.tar"
    with tarfile.open(junk, "w") as tar:
        info = tarfile.TarInfo("../../etc/evil")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))

    # then
    for path in (junk, tmp_path / "missing.tar"):
        with pytest.raises(CommandError):
            call_command("restore", str(path), "--yes")


@pytest.mark.django_db(transaction=True)
def test_backup_without_media_and_the_manifest(tmp_path: Path, media: Path) -> None:
    # when
    code = cli_main(["backup", "--out", str(tmp_path / "b.tar"), "--no-media"])

    # then
    assert code == 0
    with tarfile.open(tmp_path / "b.tar") as tar:
        names = tar.getnames()
        manifest_file = tar.extractfile("manifest.json")
        assert manifest_file is not None
        manifest = json.loads(manifest_file.read())
    assert names[0] == "manifest.json" and not any(n.startswith("media/") for n in names)
    assert manifest["format"] == "talentport-backup" and manifest["format_version"] == 1
    assert manifest["engine"] == connection.vendor  # "sqlite" or "postgresql"
    assert "common" in manifest["migrations"] and manifest["created_at"].endswith("Z")
    assert len(manifest["database"]["sha256"]) == 64
    assert (tmp_path / "b.tar").stat().st_mode & 0o077 == 0  # owner only
