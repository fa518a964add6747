import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from talentport.policies.services import policy_push_run


class Command(BaseCommand):
    help = "政策找人：评估已保存的人才画像，推送新可享受政策、截止提醒，生成免申即享待确认发放（可重复执行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--as-of", help="评估日期 YYYY-MM-DD，默认今天")
        parser.add_argument("--policies", help="只推送这些政策，逗号分隔")

    def handle(self, *args: Any, **options: Any) -> None:
        as_of = None
        if options.get("as_of"):
            try:
                as_of = dt.date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise CommandError("--as-of: 日期格式应为 YYYY-MM-DD") from exc
        ids = [p for p in (options.get("policies") or "").split(",") if p] or None
        report = policy_push_run(policy_ids=ids, as_of=as_of)
        self.stdout.write(
            f"已评估 {report.profiles} 份画像：新消息 {report.messages}，截止提醒 {report.reminders}，"
            f"免申即享待确认 {report.grants}，无效画像跳过 {report.skipped_invalid}"
        )
