"""Push the best new positions to the people in the talent pool (inbox, idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from talentport.jobs.services import PUSH_MIN_SCORE, PUSH_PER_PERSON, matches_push

DEFAULT_DAYS = 7


def _since(value: str) -> dt.datetime:
    """An ISO date (midnight, China time) or datetime (naive = China time) → aware."""
    value = value.strip()
    moment = parse_datetime(value)
    if moment is None:
        day = parse_date(value)
        if day is None:
            raise CommandError("--since 须为日期或日期时间，如 2025-11-01 或 2025-11-01T08:00")
        moment = dt.datetime.combine(day, dt.time.min)
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "把新发布的岗位推送给人才信息库中匹配度最高的人（站内消息，同时抄送邮件）。"
        f"“新岗位”指 --since 之后发布、仍在招聘且单位已认证的岗位，默认最近 {DEFAULT_DAYS} 天；"
        f"每人最多推送 {PUSH_PER_PERSON} 个、匹配度不低于 {PUSH_MIN_SCORE} 分的岗位。"
        "可重复执行：每人每个岗位只推送一次（按人和岗位去重），再次执行不会重复发送，"
        "适合每天由定时任务运行。Push the best new positions to matching talents; "
        "idempotent (deduplicated per person and position)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            help="只推送此时间之后发布的岗位（ISO 日期或日期时间，不带时区按北京时间）",
        )
        parser.add_argument(
            "--days",
            type=int,
            default=DEFAULT_DAYS,
            help=f"未给 --since 时，推送最近 N 天发布的岗位（默认 {DEFAULT_DAYS}）",
        )
        parser.add_argument(
            "--per-person",
            type=int,
            default=PUSH_PER_PERSON,
            help=f"每人最多推送几个岗位（默认 {PUSH_PER_PERSON}）",
        )
        parser.add_argument(
            "--min-score",
            type=int,
            default=PUSH_MIN_SCORE,
            help=f"最低匹配度 0-100（默认 {PUSH_MIN_SCORE}）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["since"]:
            since = _since(options["since"])
        else:
            if options["days"] < 1:
                raise CommandError("--days 须为正整数")
            since = timezone.now() - dt.timedelta(days=options["days"])
        if not 1 <= options["per_person"] <= 20:
            raise CommandError("--per-person 须在 1 到 20 之间")
        if not 0 <= options["min_score"] <= 100:
            raise CommandError("--min-score 须在 0 到 100 之间")
        sent = matches_push(
            since=since, per_person=options["per_person"], min_score=options["min_score"]
        )
        self.stdout.write(
            f"jobs_push_matches: since {timezone.localtime(since).isoformat()}, {sent} new messages"
        )
