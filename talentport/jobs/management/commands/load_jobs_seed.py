"""Load data/jobs/*.yaml: job fairs with reported figures and the ambassador network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from talentport.jobs.services import REPO_DATA_DIR, jobs_seed_load


class Command(BaseCommand):
    help = "载入招聘会与海外校园引才特派员种子数据（可重复执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", default=str(REPO_DATA_DIR), help="YAML 目录")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = jobs_seed_load(directory=Path(options["dir"]))
        self.stdout.write(
            "jobs seed: {fairs} fairs, {reported} reported figure sets, "
            "{ambassadors} ambassadors".format(**counts)
        )
