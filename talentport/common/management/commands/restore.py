"""``restore``: what ``talentport restore FILE [--yes]`` runs.

Checks the backup first (its manifest, the SHA-256 of every member, the database
engine) and refuses a damaged one or one from another engine; then asks before
replacing the database (``--yes`` answers for you); then restores the database and
the media files.  ``--into URL`` restores into another database instead (a restore
drill into a scratch database; media files are then left alone).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from talentport.common.backup import BackupError, backup_open


class Command(BaseCommand):
    help = "从备份文件恢复数据库和上传文件（先校验，再确认，再恢复）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="talentport backup 生成的 .tar 文件")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复")
        parser.add_argument(
            "--into",
            metavar="DATABASE_URL",
            help="恢复到另一个数据库（如演练用的临时库），不动当前数据库和上传文件",
        )
        parser.add_argument(
            "--no-media", dest="media", action="store_false", default=True, help="不恢复上传文件"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        target_url = options.get("into") or None
        try:
            with backup_open(Path(options["file"])) as backup:
                manifest = backup.manifest
                backup.target(target_url=target_url)  # refused now rather than after asking
                where = target_url or str(connections["default"].settings_dict.get("NAME"))
                if not options["yes"] and not self._confirm(manifest, where):
                    raise CommandError("未确认，没有恢复任何数据", returncode=2)
                report = backup.restore(
                    target_url=target_url, media=options["media"] and not target_url
                )
        except BackupError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(report, ensure_ascii=False))
        if report.get("migrations_match") is False:
            self.stderr.write(
                "备份时的数据库迁移与当前代码不同：请运行 talentport setup（或 "
                "talentport manage migrate）使数据库结构与代码一致。"
            )

    def _confirm(self, manifest: dict[str, Any], where: str) -> bool:
        stdin = sys.stdin
        if not stdin or not stdin.isatty():
            self.stderr.write("恢复会覆盖当前数据库：请在终端中确认，或加 --yes。")
            return False
        self.stderr.write(
            f"将用 {manifest['created_at']} 的备份（{manifest['engine']}）覆盖数据库 {where}，"
            f"并写回 {manifest['media']['files']} 个上传文件。"
        )
        self.stderr.write("输入 yes 继续：", ending="")
        self.stderr.flush()
        return stdin.readline().strip().lower() == "yes"
