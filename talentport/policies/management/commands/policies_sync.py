from typing import Any

from django.core.management.base import BaseCommand

from talentport.policies.services import policies_sync, policy_links_sync


class Command(BaseCommand):
    help = "将随软件发布的政策文件同步为政策版本（可重复执行）"

    def handle(self, *args: Any, **options: Any) -> None:
        report = policies_sync()
        links = policy_links_sync()
        self.stdout.write(
            f"政策同步：新增版本 {report.created}，未变 {report.unchanged}，"
            f"保留后台发布版本 {report.kept_staff}；新增事项关联 {links}"
        )
