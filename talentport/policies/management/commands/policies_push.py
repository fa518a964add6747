import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from talentport.policies.push_cli import push_main


class Command(BaseCommand):
    help = "政策找人：评估已保存的人才画像，推送新可享受政策、截止提醒，生成免申即享待确认发放（可重复执行；同 talentport push）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", help="评估日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--policies", help="只推送这些政策，逗号分隔")
        parser.add_argument("--dry-run", action="store_true", help="只计算，不写入、不通知")

    def handle(self, *args: Any, **options: Any) -> None:
        argv = []
        if options.get("as_of"):
            argv += ["--as-of", options["as_of"]]
        if options.get("policies"):
            argv += ["--policies", options["policies"]]
        if options.get("dry_run"):
            argv.append("--dry-run")
        code = push_main(argv)
        sys.stdout.flush()
        if code:
            raise CommandError("政策找人未完成", returncode=code)
