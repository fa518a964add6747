"""``talentport`` command-line entry point (contract §1, §2, §3, §7, §8, §9).

``eligibility``, ``match`` and ``due-date`` work without a database or a running
server; the others set up Django first.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable

USAGE = """用法 / usage: talentport COMMAND [ARGS]

  setup [--demo]              创建或迁移数据库并加载种子数据（可重复执行）；--demo 另建演示账户
  serve                       以生产级服务器在 127.0.0.1:$PORT 提供门户（默认 8000）
  manage COMMAND ...          任意 Django 管理命令
  eligibility PROFILE.json    一人可享受的政策（- 表示从标准输入读取）[--as-of YYYY-MM-DD]
  match IN.jsonl --out OUT.jsonl [--as-of DATE] [--policies ID,ID]   批量政策匹配
  due-date START N            START 之后第 N 个法定工作日
  archives import FILE.xlsx --school NAME   导入学校人事档案交接名单
  profiles import FILE --source NAME       导入人才信息库（JSONL 或 .xlsx 模板）
  audit verify [--tail N]     校验审计日志哈希链（完整时退出码 0，断开时 1）
  backup [--out FILE] [--no-media]          备份数据库与上传文件（加密字段保持加密）
  restore FILE [--yes] [--into DATABASE_URL] 校验并从备份恢复
"""


def _django_setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    import django

    django.setup()


def _manage(argv: list[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["talentport manage", *argv])
    return 0


def _setup(argv: list[str]) -> int:
    _django_setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("tp_setup", *argv)
    except CommandError as exc:
        print(f"talentport setup: {exc}", file=sys.stderr)
        return 2
    return 0


def _serve(argv: list[str]) -> int:
    port = os.environ.get("PORT", "8000")
    workers = os.environ.get("WEB_CONCURRENCY", "2")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentport.settings")
    from gunicorn.app.wsgiapp import run

    sys.argv = [
        "gunicorn",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        workers,
        "--access-logfile",
        "-",
        # ID numbers and phones in query strings and tracebacks are masked
        "--logger-class",
        "talentport.common.gunicorn_logging.MaskingLogger",
        *argv,
        "talentport.wsgi:application",
    ]
    run()
    return 0


def _eligibility(argv: list[str]) -> int:
    from talentport.policies.cli import eligibility_main

    return eligibility_main(argv)


def _match(argv: list[str]) -> int:
    from talentport.policies.cli import match_main

    return match_main(argv)


def _due_date(argv: list[str]) -> int:
    from talentport.cases.clock_cli import due_date_main

    return due_date_main(argv)


def _archives(argv: list[str]) -> int:
    if not argv or argv[0] != "import":
        print("用法: talentport archives import FILE.xlsx --school NAME", file=sys.stderr)
        return 2
    _django_setup()
    from talentport.archives.cli import import_main

    return import_main(argv[1:])


def _profiles(argv: list[str]) -> int:
    if not argv or argv[0] != "import":
        print("用法: talentport profiles import FILE --source NAME", file=sys.stderr)
        return 2
    _django_setup()
    from talentport.people.cli import import_main

    return import_main(argv[1:])


def _command(name: str, argv: list[str]) -> int:
    """Run management command ``name``; a CommandError is its message and exit status."""
    _django_setup()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command(name, *argv)
    except CommandError as exc:
        print(str(exc), file=sys.stderr)
        return int(getattr(exc, "returncode", 1) or 1)
    return 0


def _audit(argv: list[str]) -> int:
    if not argv or argv[0] != "verify":
        print("用法: talentport audit verify [--tail N]", file=sys.stderr)
        return 2
    return _command("audit_verify", argv[1:])


def _backup(argv: list[str]) -> int:
    return _command("backup", argv)


def _restore(argv: list[str]) -> int:
    return _command("restore", argv)


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "setup": _setup,
    "serve": _serve,
    "manage": _manage,
    "eligibility": _eligibility,
    "match": _match,
    "due-date": _due_date,
    "archives": _archives,
    "profiles": _profiles,
    "audit": _audit,
    "backup": _backup,
    "restore": _restore,
}


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0
    command = COMMANDS.get(args[0])
    if command is None:
        print(f"未知命令 / unknown command: {args[0]}\n\n{USAGE}", file=sys.stderr)
        return 2
    return command(args[1:])


if __name__ == "__main__":
    sys.exit(main())
