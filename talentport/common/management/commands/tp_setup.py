"""``tp_setup``: what ``talentport setup`` runs; safe to run again and again.

migrate → compile translations → collectstatic → load_catalog → policies_sync →
load_bundles → load_jobs_seed → (with ``--demo``) create_demo_accounts → the first
administrator, when there is none yet (from an interactive prompt or a secret file).

Plain ``setup`` creates no account it was not asked for, ``--demo`` is refused in
production, and an existing account's password is never changed.
"""

from __future__ import annotations

import getpass
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from talentport.people.services import (
    AdminCreationError,
    administrator_exists,
    first_administrator_create,
)

PACKAGE_DIR = Path(settings.BASE_DIR)
SEED_STEPS = (
    ("policies_sync", "同步政策"),
    ("load_bundles", "加载“一件事”事项组合"),
    ("load_jobs_seed", "加载招聘会与引才特派员数据"),
)
DEMO_REFUSED = "生产环境（TALENTPORT_ENV=production）不能创建演示账户：--demo 只用于演示机器"


def _compile_with_babel(locale_dir: Path) -> None:
    """Compile .po files without GNU gettext (a machine with no msgfmt)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in locale_dir.glob("*/LC_MESSAGES/*.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


def data_directories_create() -> list[Path]:
    """DATA_DIR and MEDIA_ROOT (outside the checkout) exist, for this account only."""
    made = [Path(settings.DATA_DIR), Path(settings.MEDIA_ROOT)]
    for directory in made:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return made


#: Where uploads were kept before the data directory: inside the checkout.
OLD_MEDIA_ROOT = PACKAGE_DIR.parent / "var" / "private"


@contextmanager
def _cwd(path: Path) -> Iterator[None]:
    previous = Path.cwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


class Command(BaseCommand):
    help = "创建或迁移数据库并加载种子数据（可重复执行）；--demo 另建演示账户"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--demo",
            action="store_true",
            help="为每个角色创建演示账户（生产环境拒绝）",
        )
        parser.add_argument(
            "--admin-username",
            default=os.environ.get("TALENTPORT_ADMIN_USERNAME", ""),
            help="尚无管理员时创建的首个管理员用户名（默认 admin）",
        )
        parser.add_argument(
            "--admin-password-file",
            default=os.environ.get("TALENTPORT_ADMIN_PASSWORD_FILE", ""),
            help="首个管理员密码所在的文件（密钥文件，不在命令行出现密码）",
        )
        parser.add_argument(
            "--no-input",
            action="store_true",
            help="不交互提问（没有密码文件时不创建管理员）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["demo"] and settings.PRODUCTION:
            raise CommandError(DEMO_REFUSED)
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
            self._step("编译翻译文件（Babel）")
            _compile_with_babel(PACKAGE_DIR / "locale")

        self._step("收集静态文件")
        call_command("collectstatic", interactive=False, verbosity=0)

        self._step("准备数据目录")
        for directory in data_directories_create():
            self.stdout.write(f"  {directory}")
        if (
            OLD_MEDIA_ROOT.is_dir()
            and OLD_MEDIA_ROOT.resolve() != Path(settings.MEDIA_ROOT).resolve()
        ):
            self.stdout.write(
                self.style.WARNING(
                    f"  代码目录中仍有旧的上传文件 {OLD_MEDIA_ROOT}：请将其中的内容移到 "
                    f"{settings.MEDIA_ROOT}（例如 mv {OLD_MEDIA_ROOT}/* {settings.MEDIA_ROOT}/）"
                )
            )

        self._step("加载服务目录")
        call_command("load_catalog", stdout=self.stdout, stderr=self.stderr)

        for name, label in SEED_STEPS:
            self._step(label)
            call_command(name, stdout=self.stdout, stderr=self.stderr)
        if options["demo"]:
            self._step("创建演示账户")
            call_command("create_demo_accounts", stdout=self.stdout, stderr=self.stderr)
        self._first_administrator(options)
        self.stdout.write(self.style.SUCCESS("设置完成。"))

    def _first_administrator(self, options: dict[str, Any]) -> None:
        if administrator_exists():
            return
        self._step("创建首个管理员")
        username = (options["admin_username"] or "admin").strip()
        password_file = options["admin_password_file"]
        if password_file:
            try:
                password = Path(password_file).read_text(encoding="utf-8").strip("\r\n")
            except OSError as exc:
                raise CommandError(f"无法读取管理员密码文件 {password_file}：{exc}") from exc
        elif not options["no_input"] and sys.stdin.isatty():
            username = input(f"管理员用户名 [{username}]: ").strip() or username
            password = getpass.getpass("管理员密码: ")
            if getpass.getpass("再次输入密码: ") != password:
                raise CommandError("两次输入的密码不一致，未创建管理员")
        else:
            self.stdout.write(
                self.style.WARNING(
                    "尚无管理员账户：交互运行 talentport setup，或用 --admin-password-file "
                    "（或环境变量 TALENTPORT_ADMIN_PASSWORD_FILE）指定密码文件后再运行。"
                )
            )
            return
        try:
            user = first_administrator_create(username=username, password=password)
        except AdminCreationError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"已创建管理员 {user.username}")

    def _step(self, label: str) -> None:
        self.stdout.write(f"— {label}")
