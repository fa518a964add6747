"""Remind specialists at 80 % of the time used and escalate overdue sub-cases.

Idempotent: run it from cron as often as you like; nothing is sent twice.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from talentport.cases.services import sla_tick


class Command(BaseCommand):
    help = "办件时限提醒（已用80%）与超期督办，可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        report = sla_tick(today=options["today"])
        self.stdout.write(f"reminded: {report.reminded}, escalated: {report.escalated}")
