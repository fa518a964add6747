"""``tp_setup``: what ``talentport setup`` runs; safe to run again and again.

migrate → compilemessages (only when ``msgfmt`` exists) → collectstatic → load_catalog
→ create_demo_accounts → policies_sync (the last two only once those commands exist).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand

PACKAGE_DIR = Path(settings.BASE_DIR)


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


class Command(BaseCommand):
    help = "创建或迁移数据库并加载种子数据（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = int(options.get("verbosity", 1))
        self._step("迁移数据库")
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))

        if shutil.which("msgfmt"):
            self._step("编译翻译文件")
            # compilemessages walks the current directory: run it inside the package so
            # it compiles our locale/ and never the virtualenv's.
            with _cwd(PACKAGE_DIR):
                call_command("compilemessages", verbosity=0)
        else:
            self.stdout.write("  未找到 msgfmt，跳过编译翻译文件")

        self._step("收集静态文件")
        call_command("collectstatic", interactive=False, verbosity=0)

        self._step("加载服务目录")
        call_command("load_catalog", stdout=self.stdout, stderr=self.stderr)

        for name, label in (
            ("create_demo_accounts", "创建演示账号"),
            ("policies_sync", "同步政策"),
        ):
            if name in get_commands():
                self._step(label)
                call_command(name, stdout=self.stdout, stderr=self.stderr)
            else:
                self.stderr.write(self.style.WARNING(f"  命令 {name} 尚不存在，跳过{label}"))
        self.stdout.write(self.style.SUCCESS("设置完成。"))

    def _step(self, label: str) -> None:
        self.stdout.write(f"— {label}")
