"""Load the 一件事 bundles of data/bundles/*.yaml (idempotent; needs the catalog loaded)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from talentport.cases.services import REPO_BUNDLE_DIR, bundle_load


class Command(BaseCommand):
    help = "加载一件事套餐（data/bundles/*.yaml），可重复执行"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--directory", type=Path, default=REPO_BUNDLE_DIR)

    def handle(self, *args: Any, **options: Any) -> None:
        report = bundle_load(directory=options["directory"])
        self.stdout.write(
            f"bundles: {len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged"
        )
