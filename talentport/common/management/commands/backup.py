"""``backup``: what ``talentport backup [--out FILE] [--no-media]`` runs.

An online, consistent copy of the database (SQLite's backup API, or ``pg_dump
--format=custom``) and the media files, in one ``.tar`` with a manifest; see
``talentport.common.backup``.  Prints one JSON line describing the backup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from talentport.common.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "备份数据库（加密字段保持加密）和上传文件到一个 .tar 文件"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", help="备份文件路径（默认当前目录下 talentport-引擎-时间.tar）")
        parser.add_argument(
            "--media",
            action="store_true",
            default=True,
            help="包含上传文件（MEDIA_ROOT，默认包含）",
        )
        parser.add_argument("--no-media", dest="media", action="store_false", help="不包含上传文件")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"]) if options.get("out") else None
        try:
            manifest = backup_create(out=out, media=options["media"])
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        summary = {
            "file": manifest["file"],
            "bytes": manifest["bytes"],
            "engine": manifest["engine"],
            "created_at": manifest["created_at"],
            "database_sha256": manifest["database"]["sha256"],
            "media_files": manifest["media"]["files"],
        }
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
