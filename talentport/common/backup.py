"""Backups of the whole platform, and restoring them.

A backup is one ``.tar`` file:

- ``manifest.json`` (first): format and version, database engine, the Django
  migrations applied, when it was made, and the size and SHA-256 of every other member;
- ``database.sqlite3`` — an online, consistent copy made with SQLite's backup API
  (safe while the portal runs and writes) — or ``database.pgdump``, the output of
  ``pg_dump --format=custom``;
- ``media/…``: the uploaded files under ``settings.MEDIA_ROOT`` (optional).

It is a raw copy of the database, never ``dumpdata``: encrypted columns stay
ciphertext, so the backup is no more readable than the database without the field
keys (keep those elsewhere; a backup without them restores nothing readable).

:func:`backup_open` checks a backup before anything is changed (format, checksums of
every member), :meth:`VerifiedBackup.target` that it suits the database to replace (same
engine; an SQLite file passes ``PRAGMA quick_check``), :meth:`VerifiedBackup.restore` then
replaces the database
(SQLite's backup API into the live file, or ``pg_restore --clean --if-exists`` in a
single transaction) and writes the media files back.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO, Any

import dj_database_url
from django.conf import settings
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

FORMAT = "talentport-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MEDIA_DIR = "media"
DB_MEMBER = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
ENGINES = {
    "django.db.backends.sqlite3": "sqlite",
    "django.db.backends.postgresql": "postgresql",
}
CHUNK = 1024 * 1024


class BackupError(Exception):
    """A backup cannot be made or restored; the message says why (in Chinese)."""


# --------------------------------------------------------------------------- #
# Helpers
# --------------------------------------------------------------------------- #


def _engine(settings_dict: dict[str, Any]) -> str:
    engine = ENGINES.get(str(settings_dict.get("ENGINE", "")))
    if engine is None:
        raise BackupError(f"不支持备份该数据库：{settings_dict.get('ENGINE')}")
    return engine


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def _copy_hashing(source: IO[bytes], target: IO[bytes]) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for block in iter(lambda: source.read(CHUNK), b""):
        digest.update(block)
        target.write(block)
        size += len(block)
    return digest.hexdigest(), size


def _migrations(using: str) -> dict[str, list[str]]:
    recorder = MigrationRecorder(connections[using])
    applied: dict[str, list[str]] = {}
    for app, name in sorted(recorder.applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _pg_binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            f"找不到 {name}：请安装与数据库版本相同或更新的 PostgreSQL 客户端（如 postgresql-client）"
        )
    return found


def _pg_env(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq environment for one database (the password never on a command line)."""
    env = dict(os.environ)
    for key in ("PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGSERVICE"):
        env.pop(key, None)
    values = {
        "PGHOST": settings_dict.get("HOST"),
        "PGPORT": settings_dict.get("PORT"),
        "PGUSER": settings_dict.get("USER"),
        "PGPASSWORD": settings_dict.get("PASSWORD"),
        "PGDATABASE": settings_dict.get("NAME"),
    }
    options = settings_dict.get("OPTIONS") or {}
    if options.get("sslmode"):
        values["PGSSLMODE"] = options["sslmode"]
    env.update({key: str(value) for key, value in values.items() if value})
    return env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise BackupError(f"{what}失败：" + (detail[-1] if detail else f"退出码 {done.returncode}"))


def _media_files(root: Path) -> Iterator[tuple[Path, str]]:
    """Regular files under ``root`` (symbolic links are not followed), as (path, name)."""
    if not root.is_dir():
        return
    for directory, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for filename in sorted(filenames):
            path = Path(directory) / filename
            if path.is_symlink() or not path.is_file():
                continue
            yield path, path.relative_to(root).as_posix()


def _safe_member_path(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"备份文件中有不安全的路径：{name}")
    return path


# --------------------------------------------------------------------------- #
# Backup
# --------------------------------------------------------------------------- #


def _dump_sqlite(using: str, target: Path) -> None:
    connection = connections[using]
    connection.ensure_connection()
    raw = connection.connection
    destination = sqlite3.connect(str(target))
    try:
        # One step (pages=-1): the copy is one consistent snapshot, while other
        # processes keep writing through the write-ahead log.
        raw.backup(destination)
    finally:
        destination.close()


def _dump_postgresql(settings_dict: dict[str, Any], target: Path) -> None:
    command = [_pg_binary("pg_dump"), "--format=custom", "--file", str(target)]
    _run(command, _pg_env(settings_dict), "pg_dump 备份")


def default_backup_name(engine: str, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return f"talentport-{engine}-{now:%Y%m%dT%H%M%SZ}.tar"


def backup_create(
    *, out: Path | None = None, media: bool = True, using: str = "default"
) -> dict[str, Any]:
    """Write a backup of database ``using`` (and the media files) to ``out``; its manifest.

    The file is written next to ``out`` and renamed into place when complete, readable
    by its owner only.
    """
    settings_dict = connections[using].settings_dict
    engine = _engine(settings_dict)
    created = dt.datetime.now(dt.UTC)
    out = Path(out) if out is not None else Path.cwd() / default_backup_name(engine, created)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="talentport-backup-", dir=out.parent) as scratch:
        dump = Path(scratch) / DB_MEMBER[engine]
        if engine == "sqlite":
            _dump_sqlite(using, dump)
        else:
            _dump_postgresql(settings_dict, dump)
        members: list[dict[str, Any]] = [
            {"name": dump.name, "bytes": dump.stat().st_size, "sha256": _sha256_file(dump)}
        ]
        media_root = Path(settings.MEDIA_ROOT)
        media_entries: list[tuple[Path, dict[str, Any]]] = []
        if media:
            for path, name in _media_files(media_root):
                entry = {
                    "name": f"{MEDIA_DIR}/{name}",
                    "bytes": path.stat().st_size,
                    "sha256": _sha256_file(path),
                }
                media_entries.append((path, entry))
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "engine": engine,
            "created_at": created.isoformat().replace("+00:00", "Z"),
            "migrations": _migrations(using),
            "database": members[0],
            "media": {
                "included": media,
                "files": len(media_entries),
                "bytes": sum(entry["bytes"] for _path, entry in media_entries),
            },
            "members": members + [entry for _path, entry in media_entries],
        }
        partial = Path(scratch) / (out.name + ".partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle, tarfile.open(fileobj=handle, mode="w") as tar:
            payload = json.dumps(manifest, ensure_ascii=False, indent=2).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(payload), int(created.timestamp()), 0o600
            tar.addfile(info, _BytesReader(payload))
            tar.add(dump, arcname=dump.name, recursive=False)
            for path, entry in media_entries:
                tar.add(path, arcname=str(entry["name"]), recursive=False)
        os.replace(partial, out)
    return {**manifest, "file": str(out), "bytes": out.stat().st_size}


class _BytesReader:
    def __init__(self, payload: bytes) -> None:
        self._payload, self._offset = payload, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._payload) if size < 0 else self._offset + size
        chunk = self._payload[self._offset : end]
        self._offset += len(chunk)
        return chunk


# --------------------------------------------------------------------------- #
# Restore
# --------------------------------------------------------------------------- #


@dataclasses.dataclass
class VerifiedBackup:
    """A backup whose manifest and checksums have been checked, unpacked in ``directory``."""

    path: Path
    manifest: dict[str, Any]
    directory: Path

    @property
    def engine(self) -> str:
        return str(self.manifest["engine"])

    @property
    def database_file(self) -> Path:
        return self.directory / DB_MEMBER[self.engine]

    @property
    def media_names(self) -> list[str]:
        prefix = MEDIA_DIR + "/"
        return [
            m["name"][len(prefix) :]
            for m in self.manifest["members"]
            if m["name"].startswith(prefix)
        ]

    def target(self, *, using: str = "default", target_url: str | None = None) -> dict[str, Any]:
        """The database a restore would replace; refused if of another engine."""
        target: dict[str, Any] = (
            dict(dj_database_url.parse(target_url))
            if target_url
            else dict(connections[using].settings_dict)
        )
        engine = _engine(target)
        if engine != self.engine:
            raise BackupError(f"备份来自 {self.engine} 数据库，不能恢复到 {engine} 数据库")
        if engine == "sqlite":
            self._check_sqlite()
        return target

    def _check_sqlite(self) -> None:
        check = sqlite3.connect(f"file:{self.database_file}?mode=ro", uri=True)
        try:
            verdict = check.execute("PRAGMA quick_check").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"备份中的数据库文件已损坏：{exc}") from exc
        finally:
            check.close()
        if not verdict or verdict[0] != "ok":
            raise BackupError("备份中的数据库文件未通过完整性检查")

    def restore(
        self,
        *,
        using: str = "default",
        target_url: str | None = None,
        media: bool = True,
    ) -> dict[str, Any]:
        """Replace the database (``using``, or the one ``target_url`` names) with the
        backup's, then write the media files back under ``settings.MEDIA_ROOT``."""
        target = self.target(using=using, target_url=target_url)
        engine = self.engine
        if engine == "sqlite":
            self._restore_sqlite(using if not target_url else None, target)
        else:
            if not target_url:
                connections[using].close()
            self._restore_postgresql(target)
        restored_media = self._restore_media() if media else 0
        current = _migrations(using) if not target_url else None
        return {
            "restored": str(self.path),
            "engine": engine,
            "created_at": self.manifest["created_at"],
            "media_files": restored_media,
            "migrations_match": None if current is None else current == self.manifest["migrations"],
        }

    def _restore_sqlite(self, using: str | None, target: dict[str, Any]) -> None:
        source = sqlite3.connect(f"file:{self.database_file}?mode=ro", uri=True)
        try:
            if using is not None:
                connection = connections[using]
                if connection.in_atomic_block:
                    raise BackupError("不能在事务中恢复数据库")
                connection.ensure_connection()
                source.backup(connection.connection)
                connection.close()  # every later query sees the restored database afresh
            else:
                destination = sqlite3.connect(str(target["NAME"]))
                try:
                    source.backup(destination)
                finally:
                    destination.close()
        finally:
            source.close()

    def _restore_postgresql(self, target: dict[str, Any]) -> None:
        command = [
            _pg_binary("pg_restore"),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(target.get("NAME") or ""),
            str(self.database_file),
        ]
        _run(command, _pg_env(target), "pg_restore 恢复")

    def _restore_media(self) -> int:
        root = Path(settings.MEDIA_ROOT)
        count = 0
        for name in self.media_names:
            source = self.directory / MEDIA_DIR / name
            target = root / name
            target.parent.mkdir(parents=True, exist_ok=True)
            staged = target.with_name(f".{target.name}.restoring")
            shutil.copyfile(source, staged)
            os.replace(staged, target)
            count += 1
        return count


def _read_manifest(tar: tarfile.TarFile) -> dict[str, Any]:
    try:
        member = tar.getmember(MANIFEST)
    except KeyError as exc:
        raise BackupError("不是 TalentPort 备份文件：缺少 manifest.json") from exc
    handle = tar.extractfile(member) if member.isfile() else None
    if handle is None:
        raise BackupError("不是 TalentPort 备份文件：manifest.json 无法读取")
    try:
        manifest = json.loads(handle.read(1024 * 1024 * 64).decode("utf-8"))
    except (UnicodeError, ValueError) as exc:
        raise BackupError("备份清单 manifest.json 已损坏") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("不是 TalentPort 备份文件")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"不支持的备份格式版本：{manifest.get('format_version')}")
    if manifest.get("engine") not in DB_MEMBER or not isinstance(manifest.get("members"), list):
        raise BackupError("备份清单 manifest.json 不完整")
    return manifest


@contextmanager
def backup_open(path: Path) -> Iterator[VerifiedBackup]:
    """Unpack and check a backup (nothing is changed yet); refuses a damaged one.

    Every member must be listed in the manifest with the size and SHA-256 it has, and
    every listed member must be present.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"找不到备份文件：{path}")
    try:
        tar = tarfile.open(path, mode="r")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"备份文件无法读取：{exc}") from exc
    with tar, tempfile.TemporaryDirectory(prefix="talentport-restore-") as scratch:
        manifest = _read_manifest(tar)
        expected = {}
        for entry in manifest["members"]:
            if not isinstance(entry, dict) or not {"name", "bytes", "sha256"} <= entry.keys():
                raise BackupError("备份清单 manifest.json 不完整")
            _safe_member_path(str(entry["name"]))
            expected[str(entry["name"])] = entry
        database_member = DB_MEMBER[manifest["engine"]]
        if database_member not in expected:
            raise BackupError("备份中没有数据库文件")
        seen: set[str] = set()
        for member in tar:
            if member.name == MANIFEST:
                continue
            entry = expected.get(member.name)
            if entry is None or not member.isfile():
                raise BackupError(f"备份中有清单未列出的内容：{member.name}")
            target = Path(scratch) / _safe_member_path(member.name)
            target.parent.mkdir(parents=True, exist_ok=True)
            source = tar.extractfile(member)
            assert source is not None  # a regular file
            with target.open("wb") as handle:
                digest, size = _copy_hashing(source, handle)
            if digest != entry["sha256"] or size != entry["bytes"]:
                raise BackupError(f"校验和不符，备份已损坏或被改动：{member.name}")
            seen.add(member.name)
        missing = sorted(set(expected) - seen)
        if missing:
            raise BackupError("备份不完整，缺少：" + "、".join(missing[:5]))
        yield VerifiedBackup(path=path, manifest=manifest, directory=Path(scratch))


def backup_engine_of(using: str = "default") -> str:
    return _engine(connections[using].settings_dict)
