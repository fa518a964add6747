"""``load_catalog``: upsert the service catalog from ``data/catalog/*.yaml`` (idempotent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from talentport.catalog.services import REPO_DATA_DIR, CatalogDataError, catalog_load

LABELS = {
    "jurisdictions": "行政区域",
    "life_events": "人生事件",
    "departments": "部门",
    "items": "服务事项",
    "materials": "申请材料",
    "policy_links": "政策关联",
    "specialists": "服务专员",
}
CITY_NAMES = {"qingdao": "青岛市", "weihai": "威海市", "liaocheng": "聊城市"}


class Command(BaseCommand):
    help = "从 data/catalog/*.yaml 加载服务目录（按标识更新，可重复执行）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--directory", type=Path, default=REPO_DATA_DIR, help="目录数据所在文件夹"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        directory: Path = options["directory"]
        try:
            report = catalog_load(directory=directory)
        except CatalogDataError as exc:
            self.stderr.write(self.style.ERROR(f"目录数据有误：{exc}"))
            raise SystemExit(2) from exc
        self.stdout.write(f"服务目录已加载（{directory}，{len(report.files)} 个文件）")
        for key, counts in report.entities().items():
            line = (
                f"  {LABELS[key]}：共 {counts.total}，新增 {counts.created}，"
                f"更新 {counts.updated}，未变 {counts.unchanged}"
            )
            if counts.deleted:
                line += f"，删除 {counts.deleted}"
            self.stdout.write(line)
        per_city = "，".join(
            f"{CITY_NAMES.get(code, code)} {n} 项" for code, n in report.items_by_city.items()
        )
        self.stdout.write(f"  各市服务事项：{per_city}")
        if not report.changed:
            self.stdout.write(self.style.SUCCESS("数据无变化。"))
